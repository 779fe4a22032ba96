"""Reading back what a trade sink stored, straight from the database."""

from __future__ import annotations

from typing import Any

import duckdb
import psycopg
from psycopg import sql

from quantrail.data.ingest import TRADE_COLUMNS
from quantrail.data.store._pgschema import split_postgres_url
from quantrail.data.store.duckdb_store import duckdb_path

T0 = 1_704_205_800_000_000_000  # 2024-01-02T14:30:00Z


def stored_rows(url: str) -> list[tuple[Any, ...]]:
    """Every row of the trade table, in (symbol, ts_ns, trade_id) order."""
    columns = ", ".join(TRADE_COLUMNS)
    order = "ORDER BY symbol, ts_ns, trade_id"
    if url.startswith("duckdb"):
        with duckdb.connect(duckdb_path(url), read_only=True) as con:
            return con.execute(f"SELECT {columns} FROM trades {order}").fetchall()
    conninfo, schema = split_postgres_url(url)
    with psycopg.connect(conninfo) as conn:
        query = sql.SQL("SELECT {} FROM {} " + order).format(
            sql.SQL(columns), sql.Identifier(schema, "trades")
        )
        return conn.execute(query).fetchall()
