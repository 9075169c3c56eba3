#!/usr/bin/env bash
# The Python wheel (python/): build it with maturin, install it into a fresh virtual
# environment, and run pytest (python/tests) against the CLI's answers: lookup, parse,
# resolve_arrow, Polars and DuckDB. PySpark is the next step (61-python-spark.sh).
#
# Nothing here skips quietly: a missing python3, venv or pip install fails the step, and
# so does a pytest run that collected no tests (exit 5) or fewer than expected.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || { echo "ci: python: $PY is not installed" >&2; exit 1; }
"$PY" -c 'import sys; assert sys.version_info >= (3, 9), sys.version' \
    || { echo "ci: python: CPython >= 3.9 is needed" >&2; exit 1; }

VENV=target/ci-python/venv
rm -rf "$VENV"
if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    # Debian ships venv separately.
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get install -y -q python3-venv >/dev/null
        "$PY" -m venv "$VENV"
    else
        echo "ci: python: cannot create a virtual environment (install python3-venv)" >&2
        exit 1
    fi
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "maturin>=1.5,<2" "pyarrow>=14" "polars>=1.32" "duckdb>=1.1" numpy "pytest>=7"

# The reference answers come from the CLI.
cargo build -q -p cnid-cli
export CNID_BIN="$PWD/target/debug/cnid"

# The wheel, built as a user builds it (release; abi3, one wheel for CPython >= 3.9).
rm -rf target/ci-python/wheels
"$VENV/bin/maturin" build --release -q -m python/Cargo.toml -o target/ci-python/wheels
WHEEL=$(ls target/ci-python/wheels/cnid-*.whl)
"$VENV/bin/python" -m pip install -q --force-reinstall "$WHEEL"

# The README's promise: the wheel alone, in a fresh environment, with no other package.
BARE=target/ci-python/bare
rm -rf "$BARE"
"$PY" -m venv "$BARE"
"$BARE/bin/python" -m pip install -q "$WHEEL"
(cd target/ci-python && bare/bin/python -c "import cnid; print(cnid.lookup('110101199001011114'))") \
    | grep -q '"ALREADY_ATT"\|'"'ALREADY_ATT'" \
    || { echo "ci: python: the bare wheel does not answer" >&2; exit 1; }

# pytest from outside python/, so that `import cnid` is the installed wheel.
rc=0
(cd target/ci-python && venv/bin/pytest -q -p no:cacheprovider --junitxml=results.xml ../../python/tests) || rc=$?
if [ "$rc" = 5 ]; then
    echo "ci: python: pytest collected no tests" >&2
    exit 1
fi
[ "$rc" = 0 ] || exit "$rc"
ran=$("$VENV/bin/python" - <<'PY'
import xml.etree.ElementTree as ET
s = ET.parse("target/ci-python/results.xml").getroot()
s = s if s.tag == "testsuite" else s.find("testsuite")
print(int(s.get("tests")) - int(s.get("skipped")))
PY
)
echo "ci: python: $ran tests passed"
[ "$ran" -ge 35 ] || { echo "ci: python: only $ran tests ran (expected at least 35)" >&2; exit 1; }
