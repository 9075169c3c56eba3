"""Shared inputs and the reference answers: the `cnid` command line's `lookup`.

The CLI binary is found through $CNID_BIN, else target/{release,debug}/cnid of the
repository; without it the tests fail (they never skip: CI must not go green untested).
"""

import datetime
import json
import os
import pathlib
import subprocess

import pytest

TODAY = datetime.date(2026, 11, 29)
ROOT = pathlib.Path(__file__).resolve().parents[2]

MOD11 = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def complete(body):
    """17 digits and their ISO 7064 check character (written out here, not taken from
    cnid, so that the test data does not depend on the code under test)."""
    total = sum(int(d) * w for d, w in zip(body, MOD11))
    return body + "10X98765432"[total % 11]


def mixed():
    """The mixed set every path is tested on: valid, wrong check character, wrong date,
    unknown province, unknown region (NOT_ATT), 15 digits, full-width, white space
    around, lower-case x, abolished region, born after today, empty, and nulls."""
    valid = complete("11010119900101111")
    wrong = valid[:17] + ("3" if valid[17] == "2" else "2")
    full = "".join(chr(ord(c) - ord("0") + ord("０")) for c in valid)
    return [
        valid,
        wrong,
        complete("11010119900230111"),
        complete("99010119900101111"),
        complete("43041919900101111"),
        "110101900101111",
        full,
        f" {valid}\t",
        "11010519491231002x",
        complete("51292819900101111"),
        complete("11010120991231111"),
        "",
        None,
        "not a number",
        None,
    ]


def cli_path():
    env = os.environ.get("CNID_BIN")
    candidates = [pathlib.Path(env)] if env else [
        ROOT / "target" / "release" / "cnid",
        ROOT / "target" / "debug" / "cnid",
    ]
    for c in candidates:
        if c.is_file():
            return c
    raise RuntimeError(f"the cnid CLI is needed as reference: build it (cargo build -p cnid-cli) or set CNID_BIN; looked at {candidates}")


def cli_lookup(ids, today=TODAY):
    """`cnid lookup --today … ids…`, one parsed JSON answer per id."""
    run = subprocess.run(
        [str(cli_path()), "lookup", "--today", today.isoformat(), "--", *ids],
        capture_output=True,
        text=True,
    )
    # Exit 1 says that some number was not found (NOT_ATT, WRONG_IDCARD): still answers.
    assert run.returncode in (0, 1), run.stderr
    out = run.stdout
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == len(ids)
    return answers


@pytest.fixture(scope="session")
def expected():
    """For each input of `mixed()`, the CLI's `result` (None for a null), with `msg`
    present as None where the web API leaves it out (as the struct columns hold it)."""
    inputs = mixed()
    strings = [s for s in inputs if s is not None]
    answers = iter(cli_lookup(strings))
    rows = []
    for s in inputs:
        if s is None:
            rows.append(None)
            continue
        result = next(answers)["result"]
        result.setdefault("msg", None)
        rows.append(result)
    return rows
