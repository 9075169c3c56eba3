"""cnid in Polars expressions: ``cnid.polars.resolve(expr)`` and ``status(expr)``.

Both are ``Expr.map_batches`` calls on the Arrow kernel, marked element-wise so that
Polars may call them per batch in lazy and streaming queries. Per batch, the kernel
reads Polars' strings in place (Arrow string views) and resolves them with the GIL
released, in ``threads`` parts on as many threads (by default Polars' own thread pool
size), into plain integer keys; Polars takes those in without a copy and looks them up in
Categoricals made once, in a select on its thread pool. Neither half holds the GIL for
long, so batches in the streaming engine run side by side too.
"""

import polars as pl
import pyarrow as pa

from . import FIELDS, _bounded, _cnid, status_arrow

#: The struct each number resolves to: the web API's fields. `idcard` is a string; the
#: others repeat across rows (a region, a date, a status) and are Categorical.
STRUCT = pl.Struct(
    [pl.Field(name, pl.String if name == "idcard" else pl.Categorical) for name in FIELDS]
)

_LOOKUP = []


def _lookup():
    """The expressions that make the struct from the kernel's plain keys (made once): each
    field's values as a Categorical Series, looked up (``gather``) by the keys. From
    dictionary-encoded columns, Polars would make a category of every dictionary entry
    of every batch (tens of thousands of birth dates in a batch of 100,000 rows) while
    holding the GIL; a lookup is a gather of integers in a select, which does not hold
    it. The second expression also makes the struct row null where the input is (its
    status is null exactly there)."""
    if not _LOOKUP:
        values = dict(_cnid.key_values())
        fields = [
            pl.col(name)
            if name == "idcard"
            else pl.lit(pl.Series(name, pa.array(values[name])).cast(pl.Categorical))
            .gather(pl.col(name))
            .alias(name)
            for name in FIELDS
        ]
        struct = pl.struct(fields)
        _LOOKUP.append((struct, pl.when(pl.col("status").is_not_null()).then(struct)))
    return _LOOKUP[0]


def _expr(expr):
    return pl.col(expr) if isinstance(expr, str) else expr


def _threads(threads):
    return pl.thread_pool_size() if threads is None else threads


def _arrow_chunks(s: pl.Series):
    """The Series' Arrow chunks, without copying (strings as Arrow string views)."""
    if hasattr(s, "__arrow_c_stream__"):
        try:
            return pa.chunked_array(s).chunks
        except TypeError:  # a pyarrow without the PyCapsule stream interface
            pass
    return [s.to_arrow(compat_level=pl.CompatLevel.newest())]


def resolve_series(s: pl.Series, *, today=None, threads=None) -> pl.Series:
    """The web API's answer for each number of the Polars Series ``s``, as a Series of
    :data:`STRUCT` named like ``s``; null for a null."""
    n = _threads(threads)
    # Each of the n parts of a chunk is resolved and built on its own thread, as plain
    # keys that Polars takes in without a copy.
    batches = [
        pa.RecordBatch.from_struct_array(pa.array(part))
        for c in _bounded(_arrow_chunks(s))
        for part in _cnid.resolve_arrow(c, today, True, n, keys=True, parts=True)
    ]
    if not batches or len(s) == 0:
        return pl.Series(s.name, [], dtype=STRUCT)
    df = pl.from_arrow(pa.Table.from_batches(batches), rechunk=False)
    struct, nullable = _lookup()
    return df.select((nullable if s.null_count() else struct).alias(s.name)).to_series()


def resolve(expr, *, today=None, threads=None):
    """The web API's answer for each number of ``expr`` (a column name or a string
    expression), as a struct (:data:`STRUCT`); null for a null."""

    def batch(s: pl.Series) -> pl.Series:
        return resolve_series(s, today=today, threads=threads)

    return _expr(expr).map_batches(batch, return_dtype=STRUCT, is_elementwise=True)


def status(expr, *, today=None):
    """Just the status of each number of ``expr``; null for a null."""

    def batch(s: pl.Series) -> pl.Series:
        return pl.Series(s.name, status_arrow(s, today, dictionary=False), dtype=pl.String)

    return _expr(expr).map_batches(batch, return_dtype=pl.String, is_elementwise=True)
