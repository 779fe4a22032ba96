"""Fixtures running the same bar-store contract against DuckDB and a real PostgreSQL server.

PostgreSQL comes from ``QUANTRAIL_TEST_POSTGRES_URL`` (default: the local trust-auth server).
Each test gets its own schema, dropped afterwards. An unreachable server skips the PostgreSQL
cases locally and fails them on CI (``CI=true``): a CI run must not pass by skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from quantrail.data import BarFrame, DataConfig, load_bars
from tests.conftest import DATA

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("QUANTRAIL_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The server URL, once known to answer; otherwise skip (locally) or fail (on CI)."""
    url = postgres_url()
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        how = (
            f"PostgreSQL not reachable at {url} ({str(exc).strip().splitlines()[0]}): start it "
            "with `pg_ctlcluster 15 main start` or set QUANTRAIL_TEST_POSTGRES_URL"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(how)
        pytest.skip(how)
    return url


@pytest.fixture
def postgres_schema(postgres_server: str) -> Iterator[str]:
    """A fresh schema name for one test; the schema is dropped at teardown."""
    name = f"quantrail_test_{secrets.token_hex(4)}"
    yield name
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture(params=["duckdb", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty bar store of each back-end."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'bars.duckdb'}"
    schema = request.getfixturevalue("postgres_schema")
    separator = "&" if "?" in postgres_url() else "?"
    return f"{request.getfixturevalue('postgres_server')}{separator}schema={schema}"


def spy_data_config(**overrides: object) -> DataConfig:
    """The bundled SPY daily file as in tests/conftest.py ``spy_config``."""
    fields: dict[str, object] = {
        "symbol": "SPY",
        "path": DATA / "equity_daily_SPY.csv",
        "timestamps": "bar_start",
        "timezone": "America/New_York",
        "frequency": "1d",
    }
    fields.update(overrides)
    return DataConfig.model_validate(fields)


@pytest.fixture(scope="session")
def spy_frame() -> BarFrame:
    return load_bars(spy_data_config())
