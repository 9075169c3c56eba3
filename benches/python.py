#!/usr/bin/env python3
"""Rows per second of each Python path of cnid on the same numbers, in one run, next to
`cnid batch` and the memoized Python `id-validator` package.

    pip install target/wheels/cnid-*.whl pyarrow polars duckdb numpy id-validator
    cargo build --release -p cnid-cli
    python benches/python.py                # 10 M rows
    python benches/python.py --rows 1000000 --spark

The numbers: synthetic (cnid.generate, fixed seed), 1 in 20 with a wrong check
character. Each figure is the median of --runs runs. `lookup` and id-validator are
timed on a sample (--sample) and quoted per number; everything else on all rows.
`cnid batch` is a whole-process timing (file in, CSV out, all cores). Polars is timed
in fresh processes with POLARS_MAX_THREADS=1 and =2 (its own thread count, which the
expressions follow), in the in-memory and the streaming engine. With --spark,
PySpark local mode reads the numbers from Parquet, resolves them with cnid.spark and
its answers are compared with resolve_arrow's, row for row.
"""

import argparse
import functools
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

import cnid

ROOT = pathlib.Path(__file__).resolve().parents[1]


def median_time(fn, runs):
    """Median (wall seconds, CPU seconds of this process) over `runs` runs. The CPU time
    of a one-thread path is its cost on one core, whatever else the machine runs."""
    times = []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - w, time.process_time() - c))
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def numbers(rows):
    ids = cnid.generate(rows, seed=20261201)
    for i in range(0, rows, 20):
        s = ids[i]
        ids[i] = s[:17] + ("0" if s[17] != "0" else "1")
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--sample", type=int, default=20_000, help="rows for lookup and id-validator")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cli", default=str(ROOT / "target" / "release" / "cnid"))
    ap.add_argument("--polars-rounds", type=int, default=2,
                    help="Polars processes per thread count (each does --runs runs)")
    ap.add_argument("--spark", action="store_true", help="also PySpark local mode")
    args = ap.parse_args()

    print(f"generating {args.rows:,} numbers ...", file=sys.stderr)
    ids = numbers(args.rows)
    array = pa.array(ids, type=pa.string())
    sample = ids[: args.sample]
    # Warm up: the region dictionaries and lookup's templates are built on first use.
    cnid.resolve_arrow(array.slice(0, 100_000))
    for s in sample:
        cnid.lookup(s)
    results = []  # (path, rows/s, note)

    def report(path, rows, seconds, note=""):
        wall, cpu = seconds if isinstance(seconds, tuple) else (seconds, None)
        per_cpu = rows / cpu if cpu else float("nan")
        results.append((path, rows / wall, per_cpu, note))
        print(f"{path:<46} {rows / wall / 1e6:8.2f} M rows/s wall {per_cpu / 1e6:8.2f} M rows/CPU-s  {note}",
              file=sys.stderr)

    report("resolve_arrow (1 thread)", args.rows, median_time(lambda: cnid.resolve_arrow(array), args.runs))
    report("resolve_arrow (1 thread, plain strings)", args.rows,
           median_time(lambda: cnid.resolve_arrow(array, dictionary=False), args.runs))
    report("resolve_arrow (2 threads)", args.rows, median_time(lambda: cnid.resolve_arrow(array, threads=2), args.runs))
    report("status_arrow (1 thread)", args.rows, median_time(lambda: cnid.status_arrow(array), args.runs))

    def lookups():
        for s in sample:
            cnid.lookup(s)

    t = median_time(lookups, args.runs)
    report("lookup (a Python call a number)", len(sample), t,
           f"{t[0] / len(sample) * 1e9:.0f} ns a call wall, {t[1] / len(sample) * 1e9:.0f} ns CPU")

    with tempfile.TemporaryDirectory() as tmp:
        polars_bench(ids, tmp, args, report)

    with tempfile.TemporaryDirectory() as tmp:
        parquet = os.path.join(tmp, "ids.parquet")
        pq.write_table(pa.table({"n": pa.array(range(args.rows), type=pa.int64()), "id": array}), parquet)
        try:
            import duckdb

            import cnid.duckdb as cnid_duckdb

            con = duckdb.connect()
            cnid_duckdb.register(con)
            q = f"SELECT count(*) FILTER (WHERE cnid_status(id) = 'ALREADY_ATT') FROM '{parquet}'"
            report("duckdb cnid_status (SQL over Parquet)", args.rows,
                   median_time(lambda: con.execute(q).fetchall(), args.runs))
            q = f"SELECT count(DISTINCT cnid_resolve(id).att) FROM '{parquet}'"
            report("duckdb cnid_resolve (SQL over Parquet)", args.rows,
                   median_time(lambda: con.execute(q).fetchall(), args.runs))
        except ImportError as e:
            print(f"duckdb skipped: {e}", file=sys.stderr)

        if pathlib.Path(args.cli).is_file():
            txt = os.path.join(tmp, "ids.txt")
            out = os.path.join(tmp, "out.csv")
            with open(txt, "w") as f:
                f.write("\n".join(ids))
                f.write("\n")
            t = median_time(lambda: subprocess.run([args.cli, "batch", "-i", txt, "-o", out], check=True,
                                                   stderr=subprocess.DEVNULL), args.runs)
            report("cnid batch (whole-process timing, all cores)", args.rows, t[0])
            same = same_as_batch(out, array)
            print(f"resolve_arrow answers identical to cnid batch on all {args.rows:,} rows: {same}", file=sys.stderr)
            if not same:
                sys.exit("resolve_arrow and cnid batch differ")
        else:
            print(f"cnid batch skipped: no {args.cli} (cargo build --release -p cnid-cli)", file=sys.stderr)

        if args.spark:
            spark_bench(parquet, array, args, report)

    try:
        from id_validator import data, validator

        # Memoized: the package rebuilds its region tables on every call (4 ms a number);
        # cached, as its users do, it takes tens of microseconds.
        for name in dir(data):
            if name.startswith("get_"):
                setattr(data, name, functools.cache(getattr(data, name)))
        validator.get_info(sample[1])
        t = median_time(lambda: [validator.is_valid(s) and validator.get_info(s) for s in sample], args.runs)
        report("id-validator memoized (is_valid + get_info)", len(sample), t,
               f"{t[1] / len(sample) * 1e6:.1f} us CPU a number")
    except ImportError:
        print("id-validator skipped: pip install id-validator", file=sys.stderr)

    wall = {p: r for p, r, _, _ in results}
    cpu = {p: c for p, _, c, _ in results}
    print("\npath,rows_per_s_wall,rows_per_cpu_s,note")
    for p, r, c, note in results:
        print(f"{p},{r:.0f},{c:.0f},{note}")
    base = cpu.get("id-validator memoized (is_valid + get_info)")
    if base:
        for p in ("resolve_arrow (1 thread)", "lookup (a Python call a number)"):
            print(f"ratio {p} / id-validator memoized, per CPU-second: {cpu[p] / base:.0f}x")
    for engine in POLARS_ENGINES:
        one, two = (wall.get(polars_path(engine, t)) for t in (1, 2))
        if one and two:
            print(f"ratio polars resolve {engine}, POLARS_MAX_THREADS=2 / =1 (wall): {two / one:.2f}x")
    if "resolve_arrow (2 threads)" in wall:
        print(f"ratio resolve_arrow 2 threads / 1 thread (wall): {wall['resolve_arrow (2 threads)'] / wall['resolve_arrow (1 thread)']:.2f}x")


POLARS_ENGINES = ("in-memory", "streaming")


def polars_path(engine, threads):
    return f"polars resolve, {engine} engine (POLARS_MAX_THREADS={threads})"


def polars_bench(ids, tmp, args, report):
    """Polars in fresh processes (its thread pool is sized once per process), one per
    thread count, on the same numbers read from an Arrow IPC file."""
    try:
        import polars as pl
    except ImportError as e:
        print(f"polars skipped: {e}", file=sys.stderr)
        return
    path = os.path.join(tmp, "ids.arrow")
    pl.DataFrame({"id": ids}, schema={"id": pl.String}).write_ipc(path)
    # Processes for 1 and 2 threads take turns (--polars-rounds pairs), so that a burst of
    # load elsewhere on the machine does not fall on one thread count only.
    times = {1: [], 2: []}
    for _ in range(args.polars_rounds):
        for threads in (1, 2):
            env = dict(os.environ, POLARS_MAX_THREADS=str(threads))
            run = subprocess.run([sys.executable, __file__, "--polars-worker", path, "--runs", str(args.runs)],
                                 env=env, check=True, capture_output=True, text=True)
            times[threads].append(json.loads(run.stdout))
    for threads, runs in times.items():
        rows = runs[0]["rows"]
        for engine in POLARS_ENGINES:
            report(polars_path(engine, threads), rows, statistics.median(t for r in runs for t in r[engine]))
        report(f"polars status, streaming engine (POLARS_MAX_THREADS={threads})", rows,
               statistics.median(t for r in runs for t in r["status"]))


def polars_worker(path, runs):
    """Wall seconds of each run of cnid.polars.resolve in each engine, and of status in
    the streaming engine, with this process's Polars thread count; as JSON."""
    import polars as pl

    import cnid.polars as cnid_polars

    df = pl.read_ipc(path).rechunk()
    resolve = df.lazy().select(cnid_polars.resolve("id"))
    status = df.lazy().select(cnid_polars.status("id"))
    resolve.head(1000).collect()  # warm up: the Categoricals of the lookups are made once
    times = {engine: [] for engine in POLARS_ENGINES}
    times["status"] = []
    for _ in range(runs):
        for engine in POLARS_ENGINES:
            times[engine].append(median_time(lambda: resolve.collect(engine=engine), 1)[0])
        times["status"].append(median_time(lambda: status.collect(engine="streaming"), 1)[0])
    out = dict(times)
    out["rows"] = len(df)
    out["threads"] = pl.thread_pool_size()
    print(json.dumps(out))


def same_as_batch(csv_path, array):
    """Whether resolve_arrow's fields equal the columns `cnid batch` wrote, row for row
    (the CSV has the input, the web API's fields from `status`, and a reason)."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = ["input"] + [f for f in cnid.FIELDS if f != "idcard"] + ["reason"]
    table = pcsv.read_csv(
        csv_path,
        read_options=pcsv.ReadOptions(column_names=names),
        convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}),
    )
    ours = cnid.resolve_arrow(array, dictionary=False)
    for name in cnid.FIELDS:
        if name == "idcard":
            continue
        col = ours.field(name)
        if name == "msg":
            col = pc.fill_null(col, "")
        if not table.column(name).combine_chunks().equals(col):
            print(f"column {name} differs", file=sys.stderr)
            return False
    return len(table) == len(array)


def spark_bench(parquet, array, args, report):
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    import cnid.spark as cnid_spark

    spark = (
        SparkSession.builder.master("local[2]").appName("cnid-bench")
        .config("spark.ui.enabled", "false").config("spark.driver.memory", "6g").getOrCreate()
    )
    try:
        out = os.path.join(os.path.dirname(parquet), "spark_out")
        df = spark.read.parquet(parquet)

        def run():
            df.select("n", cnid_spark.resolve("id").alias("r")).select("n", "r.*").write.mode("overwrite").parquet(out)

        t = median_time(run, 1)
        report("spark local[2] resolve (Parquet in and out)", args.rows, t[0])
        got = pq.read_table(out).sort_by("n")
        want = cnid.resolve_arrow(array, dictionary=False).flatten()
        same = all(got.column(name).combine_chunks().equals(col) for name, col in zip(cnid.FIELDS, want))
        print(f"spark answers identical to resolve_arrow on all {args.rows:,} rows: {same}", file=sys.stderr)
        if not same:
            sys.exit("spark answers differ")
    finally:
        spark.stop()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--polars-worker":
        polars_worker(sys.argv[2], int(sys.argv[4]) if len(sys.argv) > 4 else 3)
    else:
        main()
