"""``INSERT ... ON CONFLICT`` for both back-ends.

Idempotency is enforced by UNIQUE constraints, so a duplicate is resolved by the database in
the same statement: there is no window between a "does it exist?" read and the write in which
a second writer (or a redelivered event) could slip through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_ignore", "upsert"]


def _insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignore(
    conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]
) -> bool:
    """Insert ``values`` unless a row with the same ``keys`` exists; True when inserted.

    ``RETURNING`` tells whether the row went in: the driver's rowcount is not reliable for
    ``ON CONFLICT DO NOTHING`` (psycopg 3 under SQLAlchemy 2.1 reports -1).
    """
    statement = (
        _insert(conn, table)
        .values(dict(values))
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(table.c[keys[0]])
    )
    return conn.execute(statement).first() is not None


def upsert(conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert ``values``, or overwrite the non-key columns of the row with the same ``keys``."""
    update = {name: value for name, value in values.items() if name not in keys}
    statement = _insert(conn, table).values(dict(values))
    conn.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=update))
