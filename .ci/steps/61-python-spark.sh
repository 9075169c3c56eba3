#!/usr/bin/env bash
# cnid.spark in PySpark local mode over a generated Parquet file (python/tests/test_spark.py),
# in the environment 60-python.sh built. Needs Java 17 (installed with apt-get when root).
# Takes about a minute: the pyspark download and a JVM start.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=target/ci-python/venv
[ -x "$VENV/bin/pytest" ] || { echo "ci: spark: run .ci/steps/60-python.sh first" >&2; exit 1; }
if ! command -v java >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        apt-get install -y -q openjdk-17-jre-headless >/dev/null
    else
        echo "ci: spark: java is not installed" >&2
        exit 1
    fi
fi
# pandas_udf needs pandas; PySpark does not support pandas 3 yet.
"$VENV/bin/python" -m pip install -q "pyspark>=3.4" "pandas>=1.5,<3"
export CNID_BIN="$PWD/target/debug/cnid" CNID_SPARK=1
rc=0
(cd target/ci-python && venv/bin/pytest -q -p no:cacheprovider -rs ../../python/tests/test_spark.py) || rc=$?
[ "$rc" != 5 ] || { echo "ci: spark: pytest collected no tests" >&2; exit 1; }
exit "$rc"
