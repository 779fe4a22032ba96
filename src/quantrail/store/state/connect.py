"""Engines for the state store: SQLite (WAL, synchronous=FULL, foreign keys) or PostgreSQL.

SQLite: Python's sqlite3 driver (before 3.12's ``autocommit``) does not BEGIN before a
SELECT, so a read-modify-write (a position update) would read outside the transaction that
writes. The store therefore switches the driver's own transaction handling off and emits
``BEGIN IMMEDIATE`` itself, which also takes the write lock up front, so two writers queue on
the busy timeout instead of failing on a lock upgrade. Readers ask for a deferred BEGIN
(a consistent WAL snapshot that does not block the writer).

PostgreSQL: the schema comes from ``options=-csearch_path=NAME`` in the URL or the ``schema``
argument; it is created if missing, before the engine that uses it first connects (SQLAlchemy
reads the default schema once, on the first connection).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from quantrail.core.errors import ConfigError

__all__ = ["READ_ONLY", "create_state_engine", "redact", "schema_of"]

READ_ONLY = "quantrail_read_only"
"""Execution option: this connection only reads (SQLite: deferred BEGIN)."""

_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s]+)")
_SQLITE_BUSY_SECONDS = 30.0


def redact(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def schema_of(url: URL) -> str | None:
    """The first schema of ``-csearch_path=...`` in the URL's ``options``, if any."""
    options = url.query.get("options")
    joined = " ".join(options) if isinstance(options, tuple) else (options or "")
    found = _SEARCH_PATH.search(joined)
    if found is None:
        return None
    return found.group(1).split(",")[0].strip("\"'")


def create_state_engine(url: str, schema: str | None = None) -> Engine:
    """An engine for ``url`` configured for the state store.

    Parameters
    ----------
    url : str
        ``sqlite:///path/state.sqlite`` or ``postgresql+psycopg://user@host:port/db``
        (``postgresql://`` and ``postgres://`` mean the psycopg 3 driver).
    schema : str, optional
        PostgreSQL schema to use (created if missing); may instead be in the URL as
        ``options=-csearch_path=NAME``.

    Raises
    ------
    ConfigError
        The URL is malformed, names an unsupported back-end, is an in-memory SQLite database,
        or gives two different schemas.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"state store URL {url!r} is not a database URL: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        if schema is not None:
            raise ConfigError("a schema applies to PostgreSQL only; SQLite has one per file")
        return _sqlite_engine(parsed)
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg"):
        return _postgres_engine(parsed.set(drivername="postgresql+psycopg"), schema)
    raise ConfigError(
        f"state store URL {redact(parsed)}: supported are sqlite:///path and "
        "postgresql+psycopg://user@host:port/db"
    )


def _sqlite_engine(url: URL) -> Engine:
    if url.database in (None, "", ":memory:") or (url.database or "").startswith("file::memory"):
        raise ConfigError(
            f"state store URL {url}: an in-memory database does not survive a restart; "
            "give a file, e.g. sqlite:///state/state.sqlite"
        )
    Path(url.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": _SQLITE_BUSY_SECONDS})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # the begin hook below owns BEGIN
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk when it returns (power loss, not just process death).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    deferred = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN DEFERRED" if deferred else "BEGIN IMMEDIATE")


def _postgres_engine(url: URL, schema: str | None) -> Engine:
    in_url = schema_of(url)
    if schema is not None and in_url is not None and schema != in_url:
        raise ConfigError(
            f"state store URL {redact(url)} sets search_path={in_url} but schema={schema!r} "
            "was given too; give one"
        )
    name = schema or in_url
    if name is not None:
        if not _SCHEMA_NAME.match(name):
            raise ConfigError(
                f"PostgreSQL schema {name!r}: use letters, digits and underscores (max 63)"
            )
        if in_url is None:
            url = _with_search_path(url, name)
        _create_schema(url, name)
    return create_engine(url, pool_pre_ping=True)


def _with_search_path(url: URL, schema: str) -> URL:
    options = url.query.get("options")
    existing = " ".join(options) if isinstance(options, tuple) else (options or "")
    return url.update_query_dict({"options": f"{existing} -csearch_path={schema}".strip()})


def _create_schema(url: URL, schema: str) -> None:
    bootstrap = create_engine(url, poolclass=NullPool)
    try:
        with bootstrap.begin() as conn:
            quoted = conn.dialect.identifier_preparer.quote_schema(schema)
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quoted}"))
    finally:
        bootstrap.dispose()
