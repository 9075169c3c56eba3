"""resolve_arrow and status_arrow against the CLI, in every string layout."""

import pyarrow as pa
import pytest

import cnid
from conftest import TODAY, mixed


def rows(struct):
    return struct.to_pylist()


@pytest.mark.parametrize("ty", [pa.string(), pa.large_string(), pa.string_view()])
@pytest.mark.parametrize("dictionary", [True, False])
@pytest.mark.parametrize("threads", [1, 3])
def test_resolve_arrow_equals_the_cli(expected, ty, dictionary, threads):
    array = pa.array(mixed() * 10, type=ty)
    out = cnid.resolve_arrow(array, TODAY, dictionary=dictionary, threads=threads)
    assert isinstance(out, pa.StructArray)
    assert out.type.names == list(cnid.FIELDS)
    assert rows(out) == expected * 10
    assert out.null_count == array.null_count


def test_region_columns_are_dictionary_encoded():
    out = cnid.resolve_arrow(pa.array(mixed()), TODAY)
    att = out.field("att")
    assert pa.types.is_dictionary(att.type)
    assert len(att.dictionary) == cnid.CODE_COUNT + 1
    plain = cnid.resolve_arrow(pa.array(mixed()), TODAY, dictionary=False)
    assert plain.field("att").type == pa.string()


def test_input_is_not_copied_and_slices_answer_for_their_rows(expected):
    array = pa.array(mixed() * 4)
    sliced = array.slice(3, 20)
    assert rows(cnid.resolve_arrow(sliced, TODAY)) == (expected * 4)[3:23]


def test_chunked_input_gives_chunked_output(expected):
    chunked = pa.chunked_array([mixed(), mixed()[:5], []], type=pa.string())
    out = cnid.resolve_arrow(chunked, TODAY)
    assert isinstance(out, pa.ChunkedArray)
    assert out.num_chunks == 3
    assert out.to_pylist() == expected + expected[:5]


def test_status_arrow(expected):
    array = pa.array(mixed())
    want = [None if e is None else e["status"] for e in expected]
    assert cnid.status_arrow(array, TODAY).to_pylist() == want
    assert cnid.status_arrow(array, TODAY, dictionary=False).to_pylist() == want


def test_bad_inputs_are_clear_errors():
    with pytest.raises(TypeError, match="strings"):
        cnid.resolve_arrow(pa.array([1, 2, 3]))
    with pytest.raises(TypeError, match="Arrow"):
        cnid.resolve_arrow(["110101199001011114"])
    assert len(cnid.resolve_arrow(pa.array([], type=pa.string()))) == 0
    nulls = cnid.resolve_arrow(pa.nulls(3))
    assert nulls.to_pylist() == [None, None, None]
