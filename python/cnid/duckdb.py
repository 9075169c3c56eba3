"""cnid in DuckDB SQL: ``cnid.duckdb.register(con)`` adds ``cnid_resolve(VARCHAR)``
(a STRUCT of the web API's fields) and ``cnid_status(VARCHAR)``, both vectorized Arrow
functions: DuckDB hands over a batch of rows as an Arrow array, the kernel resolves it
with the GIL released.

    import duckdb, cnid.duckdb
    con = duckdb.connect()
    cnid.duckdb.register(con)
    con.sql("SELECT cnid_resolve(id).att FROM 'ids.parquet'")
"""

import duckdb
import pyarrow as pa

from . import FIELDS, resolve_arrow, status_arrow


def register(con, *, today=None):
    """Register ``cnid_resolve`` and ``cnid_status`` on the connection ``con``."""
    varchar = duckdb.sqltype("VARCHAR")
    struct = duckdb.struct_type({name: varchar for name in FIELDS})

    def cnid_resolve(ids):
        return resolve_arrow(_array(ids), today, dictionary=False)

    def cnid_status(ids):
        return status_arrow(_array(ids), today, dictionary=False)

    con.create_function("cnid_resolve", cnid_resolve, [varchar], struct, type="arrow")
    con.create_function("cnid_status", cnid_status, [varchar], varchar, type="arrow")
    return con


def _array(ids):
    if isinstance(ids, pa.ChunkedArray):
        return ids.combine_chunks() if ids.num_chunks != 1 else ids.chunk(0)
    return ids
