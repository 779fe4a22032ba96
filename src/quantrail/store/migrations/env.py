"""Alembic environment of the state store.

Run by Alembic, never imported: ``quantrail.store.migrations.upgrade`` passes an open
connection in ``config.attributes["connection"]`` (its transaction wraps the whole upgrade);
without one (developer commands) it connects to ``sqlalchemy.url`` the way the store does.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from quantrail.store.state.connect import create_state_engine
from quantrail.store.state.schema import METADATA


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=METADATA, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _configure(connection)
        return
    if url is None:
        raise RuntimeError("state-store migrations need a connection or sqlalchemy.url")
    engine = create_state_engine(url)
    try:
        with engine.begin() as conn:
            _configure(conn)
    finally:
        engine.dispose()


_run()
