"""Versioned Alembic migrations of the state store, run programmatically.

``StateStore.open`` calls :func:`upgrade` inside one transaction, so on PostgreSQL (whose DDL
is transactional) and on SQLite (the store emits its own BEGIN) a migration interrupted by a
crash leaves the previous revision intact. New revisions: see docs/state-store.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

__all__ = ["alembic_config", "current_revision", "downgrade", "head_revision", "upgrade"]

_HERE = Path(__file__).resolve().parent


def alembic_config(
    connection: Connection | None = None, url: str | None = None, output: TextIO | None = None
) -> Config:
    """An Alembic ``Config`` for these migrations, without an ini file.

    Parameters
    ----------
    connection : Connection, optional
        Run on this connection (inside its transaction); ``env.py`` picks it up.
    url : str, optional
        Otherwise connect to this URL (for ``revision --autogenerate``, ``check`` and ``--sql``).
    output : TextIO, optional
        Where offline (``sql=True``) runs write their SQL; stdout when omitted.
    """
    config = Config(output_buffer=output)
    config.set_main_option("script_location", str(_HERE).replace("%", "%%"))
    # Explicit separator: Alembic warns (DeprecationWarning) when it has to guess one.
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Migrate the database behind ``connection`` up to ``revision``.

    On PostgreSQL a transaction-scoped advisory lock (keyed by the schema) makes two processes
    opening the same store at once migrate one after the other; SQLite's ``BEGIN IMMEDIATE``
    does the same there.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('quantrail.state:' || current_schema()))")
        )
    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Migrate down to ``revision`` (``"base"`` drops every state-store table)."""
    command.downgrade(alembic_config(connection), revision)


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at; None for an empty database."""
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision these migrations define."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # only possible if the versions directory were emptied
        raise RuntimeError(f"no migrations found under {_HERE / 'versions'}")
    return head
