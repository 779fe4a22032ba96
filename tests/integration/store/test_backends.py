"""What differs between back-ends: URLs, DuckDB paths, the PostgreSQL schema and layout."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from quantrail.core.errors import ConfigError, DataError
from quantrail.core.time import NANOS_PER_DAY
from quantrail.data import BarFrame
from quantrail.data.store import open_store, redact_url
from quantrail.data.store._pgschema import split_postgres_url
from quantrail.data.store.postgres_store import PostgresStore


def test_an_unknown_scheme_lists_the_supported_ones() -> None:
    with pytest.raises(ConfigError, match=r"schemes: duckdb, postgresql, postgres"):
        open_store("sqlite:///bars.db")
    with pytest.raises(ConfigError, match="unsupported bar store URL"):
        open_store("bars.duckdb")


@pytest.mark.parametrize("url", ["duckdb://host/bars.duckdb", "duckdb:///", "duckdb:///x?a=1"])
def test_malformed_duckdb_urls(url: str) -> None:
    with pytest.raises(ConfigError, match="three slashes"):
        open_store(url)


def test_three_slashes_is_relative_four_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spy_frame: BarFrame
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("duckdb:///data/bars.duckdb") as store:
        store.write(spy_frame)
    assert (tmp_path / "data" / "bars.duckdb").is_file()
    with open_store(f"duckdb:///{tmp_path}/data/bars.duckdb", read_only=True) as store:
        assert store.list()[0].rows == len(spy_frame)


def test_an_in_memory_duckdb_store(spy_frame: BarFrame) -> None:
    with open_store("duckdb:///:memory:") as store:
        assert store.write(spy_frame).inserted == len(spy_frame)


def test_passwords_never_reach_messages_or_sources() -> None:
    assert redact_url("postgresql://u:secret@h:5433/db?schema=s") == (
        "postgresql://u:***@h:5433/db?schema=s"
    )
    assert redact_url("postgresql://u@h/db") == "postgresql://u@h/db"
    with pytest.raises(ConfigError) as caught:
        open_store("mysql://u:secret@h/db")
    assert "secret" not in str(caught.value)


def test_the_schema_parameter_is_taken_out_of_the_libpq_url() -> None:
    assert split_postgres_url("postgresql://u@h:5432/db?sslmode=disable&schema=s1") == (
        "postgresql://u@h:5432/db?sslmode=disable",
        "s1",
    )
    assert split_postgres_url("postgresql://u@h/db") == ("postgresql://u@h/db", "quantrail")
    with pytest.raises(ConfigError, match="at most once"):
        split_postgres_url("postgresql://u@h/db?schema=a&schema=b")


def test_an_unreachable_server_is_a_data_error() -> None:
    with pytest.raises(DataError, match="cannot connect to the bar store") as caught:
        open_store("postgresql://postgres:pw@127.0.0.1:1/test")
    assert "pw" not in str(caught.value)


def _pg_url(server: str, schema: str) -> str:
    return f"{server}{'&' if '?' in server else '?'}schema={schema}"


def test_timescaledb_detection_and_the_plain_table(
    postgres_server: str, postgres_schema: str
) -> None:
    with psycopg.connect(postgres_server) as conn:
        offered = conn.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'"
        ).fetchall() == [(1,)]
    with open_store(_pg_url(postgres_server, postgres_schema)) as store:
        assert isinstance(store, PostgresStore)
        assert store.timescaledb is offered
        hypertable = store.hypertable
    if offered:
        pytest.skip("this server offers TimescaleDB; the plain-table path is not exercised")
    assert hypertable is False
    with psycopg.connect(postgres_server) as conn:
        indexes = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = 'bars'",
            [postgres_schema],
        ).fetchall()
    assert any("(symbol, frequency_ns, ts_open)" in row[0] for row in indexes), indexes


def test_schemas_isolate_stores(
    postgres_server: str, postgres_schema: str, spy_frame: BarFrame
) -> None:
    other = f"{postgres_schema}_b"
    try:
        with open_store(_pg_url(postgres_server, postgres_schema)) as store:
            store.write(spy_frame)
        with open_store(_pg_url(postgres_server, other)) as store:
            assert store.list() == []
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(other)))


def test_a_read_only_store_creates_nothing(postgres_server: str, postgres_schema: str) -> None:
    with open_store(_pg_url(postgres_server, postgres_schema), read_only=True) as store:
        assert store.list() == []
        with pytest.raises(DataError, match="no bars of SPY at frequency 1d"):
            store.read("SPY", NANOS_PER_DAY)
    with psycopg.connect(postgres_server) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", [postgres_schema]
        ).fetchall()
    assert found == [(0,)]


def test_a_concurrent_import_of_the_same_keys_fails_loudly(
    postgres_server: str, postgres_schema: str, spy_frame: BarFrame
) -> None:
    url = _pg_url(postgres_server, postgres_schema)
    open_store(url).close()  # creates the table
    outcome: list[BaseException | object] = []

    def import_spy() -> None:
        try:
            with open_store(url) as store:
                outcome.append(store.write(spy_frame))
        except BaseException as exc:
            outcome.append(exc)

    with psycopg.connect(postgres_server) as other:
        # Another writer holds bar 0 with a different close, uncommitted: our write passes its
        # conflict check, then waits on the key, and must not skip that bar once it commits.
        other.execute(
            sql.SQL(
                "INSERT INTO {} VALUES ('SPY', %s, %s, %s, 1, 1, 1, 1, 1, 'NaN', 'NaN', 0, 'x')"
            ).format(sql.Identifier(postgres_schema, "bars")),
            [NANOS_PER_DAY, int(spy_frame.ts_open[0]), int(spy_frame.ts[0])],
        )
        worker = threading.Thread(target=import_spy)
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive()  # blocked on the uncommitted key
        other.commit()
        worker.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], DataError)
    assert "another import wrote some of these bars" in str(outcome[0])
    with open_store(url, read_only=True) as store:
        assert store.list()[0].rows == 1
