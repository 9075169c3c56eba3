"""cnid in Polars expressions: ``cnid.polars.resolve(expr)`` and ``status(expr)``.

``resolve`` is two steps, both inside the Polars engine, per batch in lazy and streaming
queries alike, with no Python:

1. an expression plugin (``resolve_keys`` in the wheel's shared library): Polars calls
   the Arrow kernel on its own threads, which reads the batch's strings in place (Arrow
   string views) and answers with plain integer keys, one per field, taken over without a
   copy;
2. native Polars expressions that look each field's keys up in a Series of its values,
   a Categorical made once (``struct.with_fields``).
"""

import datetime
import operator
from pathlib import Path

import polars as pl
import pyarrow as pa
from polars.plugins import register_plugin_function

from . import FIELDS, _cnid

# The wheel's shared library, which also holds the expression plugin.
_LIBRARY = Path(_cnid.__file__)

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


def _threads(threads):
    """The most threads the plugin may use for a batch (by default Polars' own count)."""
    if threads is None:
        return pl.thread_pool_size()
    try:
        n = None if isinstance(threads, bool) else operator.index(threads)  # numpy ints too
    except TypeError:
        n = None
    if n is None or n < 1:
        raise ValueError(f"threads: expected a whole number of at least 1, found {threads!r}")
    return n


def _today(today):
    """``today`` as ``YYYY-MM-DD`` ("" for None: today's date in China)."""
    if today is None:
        return ""
    if isinstance(today, str):
        today = datetime.date.fromisoformat(today)
    if not isinstance(today, datetime.date):
        raise TypeError(f"today: expected a datetime.date or YYYY-MM-DD, found {type(today).__name__}")
    return datetime.date(today.year, today.month, today.day).isoformat()


def _plugin(function, expr, today, threads):
    """The plugin ``function`` of the wheel's library on ``expr``, element-wise."""
    return register_plugin_function(
        plugin_path=_LIBRARY,
        function_name=function,
        args=[_expr(expr)],
        # Read by the plugin in exactly this shape (see python/src/plugin.rs).
        kwargs={"cnid": f"{_today(today)};{_threads(threads)}"},
        is_elementwise=True,
    )


def resolve(expr, *, today=None, threads=None):
    """The web API's answer for each number of ``expr`` (a column name or a string
    expression), as a struct (:data:`STRUCT`); null for a null."""
    keys = _plugin("resolve_keys", expr, today, threads)
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


def status(expr, *, today=None, threads=None):
    """Just the status of each number of ``expr`` (a column name or a string expression),
    as strings; null for a null. An expression plugin, like :func:`resolve`."""
    return _plugin("status", expr, today, threads)
