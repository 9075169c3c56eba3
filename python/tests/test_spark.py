"""cnid.spark in PySpark local mode over a generated Parquet file, against the CLI.

Starting a JVM takes a while: this runs when CNID_SPARK=1 (the CI step
.ci/steps/61-python-spark.sh sets it); CNID_SPARK_ROWS sets the size of the file.
"""

import os
import sys

import pytest

import cnid
from conftest import TODAY, cli_lookup, mixed

pytestmark = pytest.mark.skipif(os.environ.get("CNID_SPARK") != "1", reason="set CNID_SPARK=1 to run PySpark local mode")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The workers run this interpreter, the one cnid is installed in.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    s = (
        SparkSession.builder.master("local[2]")
        .appName("cnid-test")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield s
    s.stop()


def test_spark_resolve_over_parquet(spark, tmp_path, expected):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import cnid.spark

    rows = int(os.environ.get("CNID_SPARK_ROWS", "20000"))
    generated = cnid.generate(rows, seed=12)
    ids = generated + mixed()
    path = str(tmp_path / "ids.parquet")
    pq.write_table(pa.table({"n": pa.array(range(len(ids))), "id": pa.array(ids, type=pa.string())}), path)
    df = spark.read.parquet(path)
    out = df.select("n", cnid.spark.resolve("id", today=TODAY).alias("r"), cnid.spark.status("id", today=TODAY).alias("s"))
    got = {row["n"]: (row["r"].asDict() if row["r"] is not None else None, row["s"]) for row in out.collect()}
    assert len(got) == len(ids)
    # Generated numbers: 200 of them against the CLI.
    sample = list(range(0, rows, max(1, rows // 200)))
    for n, want in zip(sample, cli_lookup([generated[n] for n in sample])):
        want["result"].setdefault("msg", None)
        assert got[n][0] == want["result"]
    # All generated numbers: the status lookup gives (generate's birth dates run to the
    # real today, which may be after TODAY).
    assert all(got[n][1] == cnid.lookup(generated[n], today=TODAY)["result"]["status"] for n in range(rows))
    # The mixed set: a null gives a null (an Arrow UDF, PySpark 4.1+), or a struct of
    # nulls (a pandas UDF, which has no null struct).
    for i, want in enumerate(expected):
        r, s = got[rows + i]
        if want is None:
            assert s is None
            if cnid.spark.arrow_udf is not None:
                assert r is None
            else:
                assert all(v is None for v in r.values())
        else:
            assert r == want and s == want["status"]
