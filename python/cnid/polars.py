"""cnid in Polars expressions: ``cnid.polars.resolve(expr)`` and ``status(expr)``.

``resolve`` is two steps, both inside the Polars engine, per batch in lazy and streaming
queries alike:

1. an element-wise ``Expr.map_batches`` call of the Arrow kernel: it reads Polars'
   strings in place (Arrow string views) and resolves them with the GIL released into
   plain integer keys, one per field, which Polars takes in without a copy;
2. native Polars expressions that look each field's keys up in a Series of its values,
   a Categorical made once (``struct.with_fields``).

The Python part of a batch is a handful of calls, so that batches the streaming engine
runs side by side do not wait for each other's GIL; the lookups run in Polars like any of
its own expressions.
"""

import polars as pl
import pyarrow as pa

from . import FIELDS, _bounded, _cnid, status_arrow

# Physical width of each field's categories: a region field has some thousands of
# values (the dataset's), `born` every date a number can hold, the others a handful.
_PHYSICAL = {"status": pl.UInt8, "sex": pl.UInt8, "msg": pl.UInt8, "born": pl.UInt32}

#: The named Polars categories of each field but ``idcard`` (namespace ``cnid``, name
#: ``cnid.<field>``): every answer of every batch and query uses the same ones.
CATEGORIES = {
    name: pl.Categories(f"cnid.{name}", "cnid", physical=_PHYSICAL.get(name, pl.UInt16))
    for name in FIELDS
    if name != "idcard"
}

#: The struct each number resolves to: the web API's fields. `idcard` is a string; the
#: others repeat across rows (a region, a date, a status) and are Categorical.
STRUCT = pl.Struct(
    [
        pl.Field(name, pl.String if name == "idcard" else pl.Categorical(CATEGORIES[name]))
        for name in FIELDS
    ]
)

# The kernel's plain keys (see `resolve_arrow(..., keys=True)`), one field for each of
# STRUCT's: uint8 for the fields of a handful of values, uint32 (Polars' index type) for
# the others.
_KEYS = pl.Struct(
    [
        pl.Field(
            name,
            pl.String
            if name == "idcard"
            else pl.UInt8
            if name in ("status", "sex", "msg")
            else pl.UInt32,
        )
        for name in FIELDS
    ]
)

#: Rows a thread of the kernel gets at least, when ``threads`` is not given: smaller
#: batches (the streaming engine's, some 100,000 rows) are resolved on the calling
#: thread, as that engine runs its batches side by side itself.
PART_ROWS = 250_000

_VALUES = {}


def _values():
    """Each field's values as a Series of its categories, in the order of the kernel's
    keys (made once; `born` has every date from 1800 to 2999)."""
    if not _VALUES:
        for name, values in _cnid.key_values():
            _VALUES[name] = pl.Series(name, pa.array(values)).cast(pl.Categorical(CATEGORIES[name]))
    return _VALUES


def _expr(expr):
    return pl.col(expr) if isinstance(expr, str) else expr


def _arrow_chunks(s: pl.Series):
    """The Series' Arrow chunks, without copying (strings as Arrow string views)."""
    if hasattr(s, "__arrow_c_stream__"):
        try:
            return pa.chunked_array(s).chunks
        except TypeError:  # a pyarrow without the PyCapsule stream interface
            pass
    return [s.to_arrow(compat_level=pl.CompatLevel.newest())]


def _keys(s: pl.Series, today, threads) -> pl.Series:
    """The kernel's plain keys for each number of ``s`` (a struct of :data:`_KEYS`; null
    for a null), each chunk resolved on ``threads`` threads into one answer."""
    if threads is None:
        threads = min(pl.thread_pool_size(), max(1, len(s) // PART_ROWS))
    parts = [
        pl.Series(s.name, _cnid.resolve_arrow(c, today, True, threads, keys=True))
        for c in _bounded(_arrow_chunks(s))
    ]
    if len(parts) == 1:
        return parts[0]
    return pl.concat(parts, rechunk=False) if parts else pl.Series(s.name, [], dtype=_KEYS)


def resolve(expr, *, today=None, threads=None):
    """The web API's answer for each number of ``expr`` (a column name or a string
    expression), as a struct (:data:`STRUCT`); null for a null."""

    def batch(s: pl.Series) -> pl.Series:
        return _keys(s, today, threads)

    keys = _expr(expr).map_batches(batch, return_dtype=_KEYS, is_elementwise=True)
    values = _values()
    # `msg` is looked up by the status key (its value for ALREADY_ATT is null): the msg
    # keys are null there, and a lookup by keys with nulls is several times slower.
    return keys.struct.with_fields(
        **{
            name: pl.lit(values[name]).gather(pl.field("status" if name == "msg" else name))
            for name in FIELDS
            if name != "idcard"
        }
    )


def resolve_series(s: pl.Series, *, today=None, threads=None) -> pl.Series:
    """The web API's answer for each number of the Polars Series ``s``, as a Series of
    :data:`STRUCT` named like ``s``; null for a null."""
    return s.to_frame().select(resolve(pl.col(s.name), today=today, threads=threads)).to_series()


def status(expr, *, today=None):
    """Just the status of each number of ``expr``; null for a null."""

    def batch(s: pl.Series) -> pl.Series:
        return pl.Series(s.name, status_arrow(s, today, dictionary=False), dtype=pl.String)

    return _expr(expr).map_batches(batch, return_dtype=pl.String, is_elementwise=True)
