"""Fixtures running every state-store test against SQLite and a real PostgreSQL server.

PostgreSQL comes from ``QUANTRAIL_TEST_POSTGRES_URL`` (default: the local trust-auth server,
``postgresql://postgres@127.0.0.1:5432/test``). Each test gets its own schema, dropped
afterwards. An unreachable server skips the PostgreSQL cases locally and fails them on CI
(``CI=true``): a CI run must not pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from quantrail.core.enums import OrderType, Side
from quantrail.core.events import Fill
from quantrail.core.orders import Order, OrderIntent
from quantrail.store.state import StateStore
from tests.postgres import postgres_schema, postgres_server

# Fixtures shared with the other PostgreSQL-backed suites, re-exported for pytest.
__all__ = ["postgres_schema", "postgres_server"]


def with_search_path(server: str, schema: str) -> str:
    """The production URL form: psycopg 3 driver, schema via ``options=-csearch_path``."""
    base = server.replace("postgresql://", "postgresql+psycopg://", 1)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=["sqlite", "postgres"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty state store URL of each back-end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'state.sqlite'}"
    schema = request.getfixturevalue("postgres_schema")
    return with_search_path(request.getfixturevalue("postgres_server"), schema)


@pytest.fixture
def store(state_url: str) -> Iterator[StateStore]:
    """A migrated, empty store, closed at teardown."""
    with StateStore.open(state_url) as opened:
        yield opened


def make_order(
    client_order_id: str = "o-1",
    symbol: str = "SPY",
    side: Side = Side.BUY,
    quantity: float = 10.0,
    *,
    seq: int = 1,
    ts: int = 1_000,
    strategy_id: str = "sma",
    limit_price: float | None = None,
) -> Order:
    order_type = OrderType.MARKET if limit_price is None else OrderType.LIMIT
    intent = OrderIntent(
        symbol, side, quantity, order_type, limit_price=limit_price, reason="test",
        state={"fast": 1.5, "slow": 1.25},
    )  # fmt: skip
    return Order(client_order_id, seq, intent, strategy_id, ts)


def make_fill(
    client_order_id: str = "o-1",
    quantity: float = 10.0,
    price: float = 100.0,
    *,
    symbol: str = "SPY",
    side: Side = Side.BUY,
    ts: int = 2_000,
    commission: float = 1.0,
    fill_id: str = "f-1",
) -> Fill:
    return Fill(
        fill_id, client_order_id, symbol, side, quantity, price, price, commission, 0.0, 0.0, ts,
        "taker", "quote",
    )  # fmt: skip
