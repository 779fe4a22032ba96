"""A trade sink of each back-end: a DuckDB file, and a schema on the real PostgreSQL server.

PostgreSQL is the store tests' server (``QUANTRAIL_TEST_POSTGRES_URL``, default the local
trust-auth one): unreachable, its cases are skipped locally and fail on CI (``CI=true``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postgres import postgres_schema, postgres_server, postgres_url

__all__ = ["postgres_schema", "postgres_server"]


@pytest.fixture(params=["duckdb", "postgres"])
def sink_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty trade store of each back-end."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'trades.duckdb'}"
    schema = request.getfixturevalue("postgres_schema")
    separator = "&" if "?" in postgres_url() else "?"
    return f"{request.getfixturevalue('postgres_server')}{separator}schema={schema}"
