"""The PostgreSQL bar table: URL options, creation, and the TimescaleDB decision."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from quantrail.core.errors import ConfigError
from quantrail.core.time import NANOS_PER_DAY
from quantrail.data.store.base import TABLE, VALUE_COLUMNS, redact_url

__all__ = [
    "DEFAULT_SCHEMA",
    "column_ddl",
    "create_bar_table",
    "is_hypertable",
    "split_postgres_url",
    "table_exists",
    "timescaledb_available",
]

Connection = psycopg.Connection[tuple[Any, ...]]

DEFAULT_SCHEMA = "quantrail"
"""Schema the bar table lives in when the URL has no ``?schema=NAME``."""

_CHUNK_INTERVAL_NS = 7 * NANOS_PER_DAY  # TimescaleDB chunk width on the integer ts_open axis
_INTEGER = frozenset({"ts_open", "ts", "session", "row_number"})


def column_ddl(names: tuple[str, ...]) -> sql.Composed:
    """``name bigint NOT NULL, name float8 NOT NULL, ...`` for the numeric bar columns."""
    return sql.SQL(", ").join(
        sql.SQL("{} {} NOT NULL").format(
            sql.Identifier(c), sql.SQL("bigint" if c in _INTEGER else "float8")
        )
        for c in names
    )


def split_postgres_url(url: str) -> tuple[str, str]:
    """Split ``postgresql://...?schema=NAME`` into the libpq URL and the schema name.

    Raises
    ------
    ConfigError
        ``schema`` is given twice or empty.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in query if k == "schema"]
    if len(schemas) > 1 or (schemas and not schemas[0]):
        raise ConfigError(f"{redact_url(url)}: give ?schema=NAME at most once, with a name")
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schemas[0] if schemas else DEFAULT_SCHEMA


def _flag(conn: Connection, query: str, params: list[str] | None = None) -> bool:
    row = conn.execute(query, params).fetchone()
    return bool(row and row[0])


def timescaledb_available(conn: Connection) -> bool:
    """Whether the server offers the ``timescaledb`` extension (``pg_available_extensions``)."""
    return _flag(
        conn, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')"
    )


def table_exists(conn: Connection, schema: str) -> bool:
    """Whether ``schema`` holds the bar table."""
    return _flag(
        conn,
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables "
        "WHERE table_schema = %s AND table_name = %s)",
        [schema, TABLE],
    )


def is_hypertable(conn: Connection, schema: str) -> bool:
    """Whether the bar table in ``schema`` is a TimescaleDB hypertable."""
    if not _flag(conn, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')"):
        return False
    return _flag(
        conn,
        "SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables "
        "WHERE hypertable_schema = %s AND hypertable_name = %s)",
        [schema, TABLE],
    )


def create_bar_table(conn: Connection, schema: str, timescaledb: bool) -> None:
    """Create ``schema`` and its bar table if missing; a hypertable when ``timescaledb``.

    The primary key's B-tree on ``(symbol, frequency_ns, ts_open)`` is the index range reads
    use. Symbols compare byte-wise (``COLLATE "C"``), as in DuckDB, so both list series in the
    same order.
    """
    table = sql.Identifier(schema, TABLE)
    with conn.transaction():
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        if table_exists(conn, schema):
            return
        conn.execute(
            sql.SQL(
                'CREATE TABLE {} (symbol text COLLATE "C" NOT NULL, '
                "frequency_ns bigint NOT NULL, {}, source text NOT NULL, "
                "PRIMARY KEY (symbol, frequency_ns, ts_open))"
            ).format(table, column_ddl(("ts_open", *VALUE_COLUMNS)))
        )
        if not timescaledb:
            return
        try:
            with conn.transaction():  # a savepoint: a failure leaves the plain table
                conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
                conn.execute(
                    sql.SQL(
                        "SELECT create_hypertable({}::regclass, 'ts_open', "
                        "chunk_time_interval => {}::bigint, if_not_exists => TRUE)"
                    ).format(sql.Literal(table.as_string(conn)), sql.Literal(_CHUNK_INTERVAL_NS))
                )
        except psycopg.Error:
            # Offered but unusable (typically not in shared_preload_libraries): the plain table
            # stores the same bars; PostgresStore.hypertable says which layout exists.
            pass
