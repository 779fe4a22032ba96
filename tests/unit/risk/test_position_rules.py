"""Position level: order size, position size, notional and share of equity, gross exposure,
entry validation. Each limit passes exactly at its value and refuses just beyond it."""

from __future__ import annotations

from typing import Any

import pytest

from quantrail.core import OrderType, Side
from quantrail.risk import RiskConfig, RiskEngine
from tests.unit.risk.fakes import FakeView, bar, bare, book, order


def _rule(risk: RiskEngine, quantity: float, view: FakeView | None = None, **kw: Any) -> str:
    denial = risk.check(order(Side.BUY, quantity, **kw), view or FakeView())
    return "pass" if denial is None else denial.rule


def test_order_quantity_and_notional_limits() -> None:
    risk = RiskEngine(bare(max_order_quantity=100, max_order_notional=5_000))
    assert _rule(risk, 50) == "pass"  # 50 x 100 = 5,000: exactly the notional limit
    assert _rule(risk, 51) == "max_order_notional"
    risk = RiskEngine(bare(max_order_quantity=100))
    assert _rule(risk, 100) == "pass"
    assert _rule(risk, 100.5) == "max_order_quantity"


def test_max_order_quantity_applies_to_exits_but_not_to_the_engines_flatten_orders() -> None:
    risk = RiskEngine(bare(max_order_quantity=10))
    view = FakeView(book(X=500))
    exit_ = risk.check(order(Side.SELL, 500), view)
    assert exit_ is not None
    assert exit_.rule == "max_order_quantity"
    assert risk.check(order(Side.SELL, 500, state={"risk_flatten": True}), view) is None


def test_position_notional_limit() -> None:
    risk = RiskEngine(bare(max_position_notional=20_000))
    view = FakeView(book(X=100))
    assert _rule(risk, 100, view) == "pass"  # 200 x 100
    assert _rule(risk, 101, view) == "max_position_notional"


def test_share_of_equity_per_instrument_defaults_to_ten_percent() -> None:
    risk = RiskEngine(RiskConfig())
    assert _rule(risk, 100) == "pass"  # 10,000 of 100,000 equity
    assert _rule(risk, 101) == "max_position_pct"
    # A limit order is valued at its limit price.
    assert _rule(risk, 125, order_type=OrderType.LIMIT, limit_price=80.0) == "pass"
    assert _rule(risk, 126, order_type=OrderType.LIMIT, limit_price=80.0) == "max_position_pct"


def test_share_of_equity_refuses_entries_when_equity_is_gone() -> None:
    risk = RiskEngine(RiskConfig())
    portfolio = book(prices={"Y": 10.0}, X=-1000)
    portfolio.last_prices["X"] = 250.0  # the short lost 150,000 on 100,000
    assert portfolio.equity() < 0
    assert _rule(risk, 1, FakeView(portfolio), symbol="Y") == "max_position_pct"


def test_gross_exposure_counts_other_symbols() -> None:
    risk = RiskEngine(bare(max_gross_exposure=1.0))
    view = FakeView(book(prices={"Y": 50.0}, Y=1000))  # 50,000 in Y, equity 100,000
    assert _rule(risk, 500, view) == "pass"  # 50,000 + 50,000 = 1.0 x equity
    assert _rule(risk, 501, view) == "max_gross_exposure"


@pytest.mark.parametrize(("limit", "expected"), [(100.0, "pass"), (99.99, "max_spread_bps")])
def test_spread_limit_reads_the_last_bar_quote(limit: float, expected: str) -> None:
    risk = RiskEngine(bare(entry={"max_spread_bps": limit}))
    view = FakeView()
    view.bars["X"] = bar(bid=99.5, ask=100.5)  # 1.00 on a 100 mid: 100 bps
    assert _rule(risk, 1, view) == expected


def test_spread_is_not_judged_without_a_quote_and_exits_always_pass() -> None:
    risk = RiskEngine(bare(entry={"max_spread_bps": 1.0}))
    view = FakeView(book(X=10))
    view.bars["X"] = bar()
    assert _rule(risk, 1, view) == "pass"
    view.bars["X"] = bar(bid=90.0, ask=110.0)
    assert _rule(risk, 1, view) == "max_spread_bps"
    assert risk.check(order(Side.SELL, 10), view) is None


def test_volume_floor() -> None:
    risk = RiskEngine(bare(entry={"min_bar_volume": 1000}))
    view = FakeView(book(X=10))
    assert _rule(risk, 1, view) == "min_bar_volume"  # no bar known: cannot evaluate
    view.bars["X"] = bar(volume=1000)
    assert _rule(risk, 1, view) == "pass"
    view.bars["X"] = bar(volume=999)
    assert _rule(risk, 1, view) == "min_bar_volume"
    assert risk.check(order(Side.SELL, 5), view) is None


def test_market_closed_refuses_entries_only_when_the_calendar_knows() -> None:
    risk = RiskEngine(bare(entry={"deny_when_market_closed": True}))
    view = FakeView(book(X=10))
    assert _rule(risk, 1, view) == "pass"  # None: unknown calendar
    view.market_open = False
    assert _rule(risk, 1, view) == "market_closed"
    assert risk.check(order(Side.SELL, 5), view) is None
    view.market_open = True
    assert _rule(risk, 1, view) == "pass"
