"""Migrations apply to empty SQLite and PostgreSQL, round-trip, and match the schema module."""

from __future__ import annotations

import io
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from quantrail.core.errors import ConfigError
from quantrail.store import migrations
from quantrail.store.state import StateStore
from quantrail.store.state.schema import METADATA
from tests.integration.state_store.conftest import make_fill, make_order, with_search_path

TABLES = {table.name for table in METADATA.sorted_tables}


def test_open_migrates_an_empty_database_to_head(state_url: str) -> None:
    with StateStore.open(state_url) as store:
        assert store.revision() == migrations.head_revision() == "r0001"
        names = set(inspect(store.engine).get_table_names())
    assert names == TABLES | {"alembic_version"}


def test_the_migrated_schema_is_the_schema_module(store: StateStore) -> None:
    # A change to schema.py without a migration (or the reverse) shows up here.
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), METADATA)
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(store: StateStore) -> None:
    store.record_submit_intent(make_order())
    with store.transaction() as conn:
        migrations.downgrade(conn, "base")
    assert store.revision() is None
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    with store.transaction() as conn:
        migrations.upgrade(conn)
    assert store.revision() == "r0001"
    assert store.load_open_orders() == ()
    assert store.record_submit_intent(make_order())  # usable again, and empty


def test_reopening_keeps_the_data_and_does_not_migrate_twice(state_url: str) -> None:
    with StateStore.open(state_url) as store:
        store.record_submit_intent(make_order())
    with StateStore.open(state_url) as store:
        assert [o.client_order_id for o in store.load_open_orders()] == ["o-1"]
        assert store.revision() == "r0001"


def test_open_without_migrating_leaves_an_empty_database_empty(state_url: str) -> None:
    with StateStore.open(state_url, migrate=False) as store:
        assert store.revision() is None
        assert inspect(store.engine).get_table_names() == []


def test_sqlite_runs_wal_synchronous_full_with_foreign_keys(tmp_path: Path) -> None:
    with StateStore.open(f"sqlite:///{tmp_path / 'a' / 'b' / 'state.sqlite'}") as store:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # Foreign keys are enforced, not just declared: an event of an unknown order is refused.
        orphan = text(
            "INSERT INTO order_events (client_order_id, kind, status, ts, source, reason)"
            " VALUES ('nope', 'submit', 'submitted', 1, 'engine', '')"
        )
        with (
            pytest.raises(IntegrityError, match="FOREIGN KEY constraint failed"),
            store.transaction() as conn,
        ):
            conn.execute(orphan)


def test_postgres_schema_argument_creates_the_schema(
    postgres_server: str, postgres_schema: str
) -> None:
    # postgresql:// (no driver) means psycopg 3; the schema comes from the argument.
    with StateStore.open(postgres_server, schema=postgres_schema) as store:
        store.record_submit_intent(make_order())
        assert store.record_fill(make_fill(), "x-1")
        assert "search_path" in store.url
    with psycopg.connect(postgres_server) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [postgres_schema],
        ).fetchall()
    assert {name for (name,) in rows} == TABLES | {"alembic_version"}
    # The same schema through the URL form sees the same data.
    with StateStore.open(with_search_path(postgres_server, postgres_schema)) as store:
        assert store.load_positions()["SPY"].quantity == 10.0


@pytest.mark.parametrize(
    ("url", "schema", "message"),
    [
        ("sqlite://", None, "in-memory database does not survive a restart"),
        ("sqlite:///:memory:", None, "in-memory database does not survive a restart"),
        ("mysql://u@h/db", None, "supported are sqlite:///path and postgresql"),
        ("not a url", None, "is not a database URL"),
        ("sqlite:///x.sqlite", "s1", "a schema applies to PostgreSQL only"),
        (
            "postgresql+psycopg://u@h/db?options=-csearch_path%3Da",
            "b",
            "sets search_path=a but schema='b' was given too",
        ),
        ("postgresql://u:secret@h/db", "bad-name;", "use letters, digits and underscores"),
    ],
)
def test_bad_urls_are_config_errors(url: str, schema: str | None, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        StateStore.open(url, schema=schema)
    assert "secret" not in str(raised.value)


def test_alembic_check_finds_nothing_to_generate(state_url: str) -> None:
    # The developer path (env.py connecting by URL, autogenerate): no pending schema change.
    with StateStore.open(state_url):
        pass
    command.check(migrations.alembic_config(url=state_url))


def test_offline_sql_for_a_dba(postgres_server: str) -> None:
    output = io.StringIO()
    url = postgres_server.replace("postgresql://", "postgresql+psycopg://", 1)
    command.upgrade(migrations.alembic_config(url=url, output=output), "head", sql=True)
    script = output.getvalue()
    assert "CREATE TABLE orders" in script
    assert "CONSTRAINT uq_fills_venue_execution_id UNIQUE (venue_execution_id)" in script
    assert "INSERT INTO alembic_version (version_num) VALUES ('r0001')" in script
