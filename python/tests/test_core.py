"""lookup, parse, mask, generate and DATA_VERSION against the CLI."""

import datetime
import re
import subprocess

import pytest

import cnid
from conftest import TODAY, cli_lookup, cli_path, complete, mixed


def test_lookup_equals_the_cli_line():
    inputs = [s for s in mixed() if s is not None]
    for s, want in zip(inputs, cli_lookup(inputs)):
        assert cnid.lookup(s, today=TODAY) == want, cnid.mask(s)
        assert cnid.lookup(s, today=TODAY.isoformat()) == want


def test_lookup_with_the_system_date():
    s = complete("11010119900101111")
    assert cnid.lookup(s)["result"]["status"] == "ALREADY_ATT"
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    future = complete(f"110101{tomorrow:%Y%m%d}111")
    assert cnid.lookup(future)["result"]["status"] == "WRONG_IDCARD"


def test_lookup_refuses_a_bad_today():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        cnid.lookup("110101199001011114", today="29/11/2026")
    with pytest.raises(TypeError):
        cnid.lookup("110101199001011114", today=20261129)
    with pytest.raises(TypeError):
        cnid.lookup(None)


def test_parse_gives_typed_fields():
    n = cnid.parse("110101199001011114", today=TODAY)
    assert n.number == "110101199001011114"
    assert n.birth_date == datetime.date(1990, 1, 1)
    assert (n.sex, n.sex_chinese) == ("male", "男")
    assert n.region.att == "北京市 东城区 "
    assert n.region.code == n.region_code == "110101"
    assert n.masked == "110101********1114"
    assert n.age(on=datetime.date(2025, 12, 31)) == 35
    # The legal rule (the library's age_on): a year is full the day after the birthday.
    assert n.age(on=datetime.date(2026, 1, 1)) == 35
    assert n.age(on=datetime.date(2026, 1, 2)) == 36
    assert n.age() >= 36
    assert n.status == "ALREADY_ATT"
    assert "1990" not in repr(n) and "1990" not in str(n)
    fifteen = cnid.parse("110101900101111")
    assert fifteen.first_generation and fifteen.number == "110101199001011114"
    unknown = cnid.parse(complete("43041919900101111"))
    assert unknown.region is None and unknown.status == "NOT_ATT"


@pytest.mark.parametrize(
    "s, reason",
    [
        ("110101199001011112", "invalid check character: expected 4, found 2"),
        ("", "empty input"),
        ("12345", "invalid length"),
        (complete("11010119900230111"), "no such birth date"),
        (complete("99010119900101111"), "no such province code: 99"),
    ],
)
def test_parse_raises_value_error_with_the_reason(s, reason):
    with pytest.raises(ValueError) as e:
        cnid.parse(s, today=TODAY)
    assert reason in str(e.value)
    if len(s) > 10:
        assert s not in str(e.value)


def test_mask():
    assert cnid.mask("110101199001011114") == "110101********1114"
    assert cnid.mask("12345") == "*****"


def test_generate_gives_valid_reproducible_numbers():
    a = cnid.generate(500, seed=7)
    assert a == cnid.generate(500, seed=7)
    assert a != cnid.generate(500, seed=8)
    assert all(cnid.lookup(s)["result"]["status"] == "ALREADY_ATT" for s in a)
    assert len(set(a)) > 490
    b = cnid.generate(50, seed=1, region="512928")
    assert all(s.startswith("512928") for s in b)
    assert all(cnid.lookup(s)["result"]["status"] == "ALREADY_ATT" for s in b)
    assert cnid.generate(0) == []
    with pytest.raises(ValueError, match="6 digits"):
        cnid.generate(1, region="51292")
    with pytest.raises(ValueError, match="no such code"):
        cnid.generate(1, region="119999")


def test_data_version_matches_the_cli():
    out = subprocess.run([str(cli_path()), "--version"], capture_output=True, text=True, check=True).stdout
    assert cnid.DATA_VERSION in out
    assert re.search(rf"\b{cnid.CODE_COUNT} codes", out)
