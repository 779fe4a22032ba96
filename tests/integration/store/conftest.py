"""Fixtures running the same bar-store contract against DuckDB and a real PostgreSQL server.

PostgreSQL comes from ``QUANTRAIL_TEST_POSTGRES_URL`` (default: the local trust-auth server).
Each test gets its own schema, dropped afterwards. An unreachable server skips the PostgreSQL
cases locally and fails them on CI (``CI=true``): a CI run must not pass by skipping.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quantrail.data import BarFrame, DataConfig, load_bars
from tests.conftest import DATA
from tests.postgres import postgres_schema, postgres_server, postgres_url

# Fixtures shared with the other PostgreSQL-backed suites, re-exported for pytest.
__all__ = ["postgres_schema", "postgres_server"]


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
