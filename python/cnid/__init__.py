"""Chinese resident ID numbers (GB 11643-1999) resolved offline, answering like the
NowAPI ``idcard.get`` web API.

``lookup``, ``parse``, ``mask`` and ``generate`` need nothing but this package;
``resolve_arrow`` and the engine modules (``cnid.polars``, ``cnid.duckdb``,
``cnid.spark``) need pyarrow.
"""

from ._cnid import (
    CODE_COUNT,
    DATA_VERSION,
    FIELDS,
    IdCard,
    Region,
    generate,
    lookup,
    mask,
    parse,
)
from . import _cnid

__all__ = [
    "CODE_COUNT",
    "DATA_VERSION",
    "FIELDS",
    "IdCard",
    "Region",
    "generate",
    "lookup",
    "mask",
    "parse",
    "resolve_arrow",
    "status_arrow",
]


def _chunks(array):
    """The Arrow arrays behind ``array``: one for an array, each chunk of a chunked
    array or stream (pyarrow.ChunkedArray, a Polars Series, anything with
    ``__arrow_c_stream__``)."""
    import pyarrow as pa

    if hasattr(array, "__arrow_c_array__") and not isinstance(array, pa.ChunkedArray):
        return None, [array]
    if type(array).__module__.startswith("polars"):
        # One array for a Series, as its strings: Arrow string views, not copied (unless
        # the Series has several chunks).
        import polars as pl

        array = array.rechunk() if array.n_chunks() > 1 else array
        return None, [array.to_arrow(compat_level=pl.CompatLevel.newest())]
    if not isinstance(array, pa.ChunkedArray):
        if hasattr(array, "__arrow_c_stream__"):
            array = pa.chunked_array(array)
        else:
            raise TypeError(
                "expected an Arrow string array (pyarrow, Polars, or any object with "
                f"__arrow_c_array__ / __arrow_c_stream__), found {type(array).__name__}"
            )
    return array, list(array.chunks)


def resolve_arrow(array, today=None, *, dictionary=True, threads=1):
    """Resolve every number of an Arrow string array (utf8, large_utf8 or utf8_view)
    into a ``pyarrow.StructArray`` of the web API's fields: ``status``, ``idcard``,
    ``par``, ``born``, ``sex``, ``att``, ``postno``, ``areano``, ``style_simcall``,
    ``style_citynm``, ``msg``.

    The input is read in place through the Arrow PyCapsule interface and resolved in
    Rust with the GIL released. Nulls stay null. ``idcard`` keeps the input's string
    type (the input itself when no row needs trimming). With ``dictionary`` (the default)
    every other column is dictionary-encoded (``born``'s dictionary holds the dates that
    occur); ``threads`` > 1 splits
    the work over that many threads. A ``pyarrow.ChunkedArray`` (or stream) gives a
    ``pyarrow.ChunkedArray``, chunk for chunk, and so does an array of more than
    ``MAX_ROWS`` (20 million) rows.
    """
    import pyarrow as pa

    chunked, chunks = _chunks(array)
    out = [pa.array(_cnid.resolve_arrow(c, today, dictionary, threads)) for c in _bounded(chunks)]
    if chunked is not None or len(out) > 1:
        # A chunked input, or one of more than MAX_ROWS rows (32-bit string offsets).
        ty = out[0].type if out else _struct_type(dictionary, chunked.type)
        return pa.chunked_array(out, type=ty)
    return out[0]


def _bounded(chunks):
    """The chunks, each sliced to at most MAX_ROWS rows."""
    import pyarrow as pa

    for c in chunks:
        c = c if isinstance(c, pa.Array) else pa.array(c)
        for start in range(0, max(len(c), 1), _cnid.MAX_ROWS):
            yield c.slice(start, _cnid.MAX_ROWS)


def status_arrow(array, today=None, *, dictionary=True):
    """Just the statuses of an Arrow string array, as a ``pyarrow`` string array
    (dictionary-encoded by default); nulls stay null."""
    import pyarrow as pa

    chunked, chunks = _chunks(array)
    out = [pa.array(_cnid.status_arrow(c, today, dictionary)) for c in _bounded(chunks)]
    if chunked is not None or len(out) > 1:
        return pa.chunked_array(out, type=_status_type(dictionary))
    return out[0]


def _status_type(dictionary):
    import pyarrow as pa

    return pa.dictionary(pa.int8(), pa.string()) if dictionary else pa.string()


def _struct_type(dictionary, input_type=None):
    """The answer's type; ``idcard`` keeps the input's string type."""
    import pyarrow as pa

    def ty(name):
        if name == "idcard" and input_type in (pa.large_string(), pa.string_view()):
            return input_type
        if not dictionary or name == "idcard":
            return pa.string()
        key = pa.int8() if name in ("status", "sex", "msg") else pa.int32()
        return pa.dictionary(key, pa.string())

    return pa.struct([pa.field(n, ty(n)) for n in FIELDS])
