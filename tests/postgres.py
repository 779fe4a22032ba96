"""The real PostgreSQL server the store tests use, shared by their conftests.

PostgreSQL comes from ``QUANTRAIL_TEST_POSTGRES_URL`` (default: the local trust-auth server).
Each test gets its own schema, dropped afterwards. An unreachable server skips the PostgreSQL
cases locally and fails them on CI (``CI=true``): a CI run must not pass by skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

__all__ = ["DEFAULT_POSTGRES_URL", "postgres_schema", "postgres_server", "postgres_url"]

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
            "with `pg_ctlcluster 15 main start` (trust auth, user postgres, database test) or "
            "set QUANTRAIL_TEST_POSTGRES_URL"
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
