"""cnid in PySpark: ``cnid.spark.resolve(col)`` is a struct ``Column`` of the web API's
fields, computed on Arrow batches on every executor: an ``arrow_udf`` (PySpark 4.1 and
later: Arrow arrays in and out), or a ``pandas_udf`` on older PySpark.

    from pyspark.sql import SparkSession
    import cnid.spark
    spark = SparkSession.builder.getOrCreate()
    df = spark.read.parquet("ids.parquet")
    df.select(cnid.spark.resolve("id").alias("r")).select("r.*")

On a cluster, ship the wheel with the job (``spark-submit --py-files`` does not install
wheels with native code: use ``--archives`` with a packed environment, or install the
wheel on the executors' Python); it has no dependency beyond pyarrow and pandas, which
``pandas_udf`` needs anyway.
"""

import pyarrow as pa
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

try:  # PySpark 4.1+: the batch stays Arrow, with no pandas in between.
    from pyspark.sql.functions import arrow_udf
except ImportError:
    arrow_udf = None

from . import FIELDS, resolve_arrow, status_arrow

#: The struct each number resolves to, as Spark DDL.
SCHEMA = "struct<" + ", ".join(f"{name}: string" for name in FIELDS) + ">"


def _col(col):
    return F.col(col) if isinstance(col, str) else col


def resolve(col, *, today=None) -> Column:
    """The web API's answer for each number of ``col`` (a column name or Column), as a
    struct of strings; null for a null (with a ``pandas_udf``, on PySpark before 4.1:
    every field null, as pandas UDFs have no null struct)."""
    if arrow_udf is not None:

        @arrow_udf(SCHEMA)
        def cnid_resolve_arrow(ids: pa.Array) -> pa.Array:
            return resolve_arrow(ids, today, dictionary=False)

        return cnid_resolve_arrow(_col(col))

    @pandas_udf(SCHEMA)
    def cnid_resolve(ids):
        out = resolve_arrow(pa.Array.from_pandas(ids, type=pa.string()), today, dictionary=False)
        return pa.Table.from_arrays(out.flatten(), names=list(FIELDS)).to_pandas()

    return cnid_resolve(_col(col))


def status(col, *, today=None) -> Column:
    """Just the status of each number of ``col``; null for a null."""
    if arrow_udf is not None:

        @arrow_udf("string")
        def cnid_status_arrow(ids: pa.Array) -> pa.Array:
            return status_arrow(ids, today, dictionary=False)

        return cnid_status_arrow(_col(col))

    @pandas_udf("string")
    def cnid_status(ids):
        return status_arrow(pa.Array.from_pandas(ids, type=pa.string()), today, dictionary=False).to_pandas()

    return cnid_status(_col(col))
