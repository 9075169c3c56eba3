"""The Polars expressions and DuckDB functions against the CLI."""

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

import cnid
import cnid.duckdb
import cnid.polars
from conftest import TODAY, mixed


def test_polars_resolve_and_status(expected):
    df = pl.DataFrame({"id": mixed() * 50}, schema={"id": pl.String})
    lazy = df.lazy().select(
        cnid.polars.resolve("id", today=TODAY).alias("r"),
        cnid.polars.status(pl.col("id"), today=TODAY).alias("s"),
    )
    for engine in ["in-memory", "streaming"]:
        out = lazy.collect(engine=engine)
        assert out["r"].to_list() == expected * 50
        assert out["s"].to_list() == [None if e is None else e["status"] for e in expected] * 50


def test_polars_threads_give_the_same_answer(expected):
    df = pl.DataFrame({"id": mixed() * 20})
    one = df.select(cnid.polars.resolve("id", today=TODAY, threads=1))
    four = df.select(cnid.polars.resolve("id", today=TODAY, threads=4))
    assert one.equals(four)
    assert one["id"].to_list() == expected * 20


def test_duckdb_functions_over_parquet(tmp_path, expected):
    path = tmp_path / "ids.parquet"
    pq.write_table(pa.table({"id": pa.array(mixed() * 300)}), path)
    con = duckdb.connect()
    cnid.duckdb.register(con, today=TODAY)
    got = con.execute(f"SELECT cnid_resolve(id) AS r, cnid_status(id) AS s FROM '{path}'").fetchall()
    assert [r for r, _ in got] == expected * 300
    assert [s for _, s in got] == [None if e is None else e["status"] for e in expected] * 300
    att = con.execute(f"SELECT cnid_resolve(id).att FROM '{path}' LIMIT 1").fetchall()[0][0]
    assert att == "北京市 东城区 "
