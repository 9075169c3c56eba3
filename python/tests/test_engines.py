"""The Polars expressions and DuckDB functions against the CLI."""

import datetime

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

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


def test_polars_chunks_nulls_and_empty_batches(expected):
    # A Series of several chunks (as the streaming engine and concatenations make them),
    # with and without nulls: the same answers, the same struct dtype, chunk for chunk.
    with_nulls = pl.DataFrame({"id": mixed()}, schema={"id": pl.String})
    without = with_nulls.filter(pl.col("id").is_not_null())
    df = pl.concat([with_nulls, without, with_nulls.head(0), with_nulls], rechunk=False)
    assert df["id"].n_chunks() > 1
    out = df.select(cnid.polars.resolve("id", today=TODAY))["id"]
    assert out.dtype == cnid.polars.STRUCT
    plain = [e for e in expected if e is not None]
    assert out.to_list() == expected + plain + expected
    assert out.null_count() == 2 * with_nulls["id"].null_count()
    for s in (without["id"], with_nulls["id"].head(0)):
        one = cnid.polars.resolve_series(s, today=TODAY, threads=2)
        assert one.dtype == cnid.polars.STRUCT
        assert one.to_list() == plain[: len(s)]


def test_polars_plugin_arguments_and_bad_columns(expected):
    df = pl.DataFrame({"id": mixed(), "n": list(range(len(mixed())))}, schema={"id": pl.String, "n": pl.Int64})
    as_text = df.select(cnid.polars.resolve("id", today=TODAY.isoformat()))["id"]
    assert as_text.to_list() == expected
    # A column that does not hold strings, or a "today" the born values do not reach:
    # a clear error from the plugin, not a crash.
    for expr in (cnid.polars.resolve("n"), cnid.polars.status("n")):
        with pytest.raises(pl.exceptions.PolarsError, match="column of strings, found Int64"):
            df.select(expr)
    with pytest.raises(pl.exceptions.PolarsError, match="2999-12-31"):
        df.select(cnid.polars.resolve("id", today=datetime.date(3000, 1, 1)))
    with pytest.raises(ValueError):
        cnid.polars.resolve("id", today="2020-13-01")
    with pytest.raises(TypeError):
        cnid.polars.resolve("id", today=20200101)
    for threads in (0, -1, 1.5, "2"):
        with pytest.raises(ValueError):
            cnid.polars.status("id", threads=threads)
    # A column of nulls (Polars' null type) answers nulls.
    nulls = df.select(cnid.polars.resolve(pl.lit(None)).alias("r"))["r"]
    assert nulls.dtype == cnid.polars.STRUCT and nulls.to_list() == [None]


def test_resolve_arrow_takes_a_polars_series_in_place(expected):
    s = pl.Series("id", mixed() * 3, dtype=pl.String)
    out = cnid.resolve_arrow(s, TODAY)
    assert out.to_pylist() == expected * 3
    # Polars' strings are Arrow string views: idcard keeps them.
    assert out.type.field("idcard").type == pa.string_view()
