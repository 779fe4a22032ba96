"""Pre-trade rules: working orders count, reductions always pass, stale prices refuse."""

from __future__ import annotations

from quantrail.core import Fill, Order, OrderIntent, OrderType, Side
from quantrail.portfolio import Portfolio
from quantrail.risk import RiskConfig, RiskEngine

DAY = 86_400 * 10**9


def _order(side: Side, quantity: float, seq: int = 1, **kwargs: object) -> Order:
    return Order(f"O{seq}", seq, OrderIntent("X", side, quantity, **kwargs), "S", 0)  # type: ignore[arg-type]


def _portfolio(position: float = 0.0, price: float = 100.0, ts: int = 0) -> Portfolio:
    p = Portfolio(100_000)
    if position:
        side = Side.BUY if position > 0 else Side.SELL
        p.apply_fill(
            Fill("F", "O", "X", side, abs(position), price, price, 0, 0, 0, ts, "taker", "t")
        )
    p.last_prices["X"] = price
    p.last_price_times["X"] = ts
    return p


def test_working_orders_on_the_same_side_count_towards_the_position_limit() -> None:
    risk = RiskEngine(RiskConfig(max_position_quantity=100))
    working = [_order(Side.BUY, 90, seq=1)]
    assert risk.check(_order(Side.BUY, 5, seq=2), _portfolio(), working, 0) is None
    denial = risk.check(_order(Side.BUY, 20, seq=3), _portfolio(), working, 0)
    assert denial is not None
    assert denial[0] == "max_position_quantity"
    assert "110" in denial[1]


def test_an_order_that_reduces_the_position_is_never_refused_by_exposure_rules() -> None:
    risk = RiskEngine(RiskConfig(max_gross_exposure=0.5, max_position_quantity=10))
    short = _portfolio(position=-900, price=120.0)  # far beyond both limits already
    assert risk.check(_order(Side.BUY, 100), short, [], 0) is None
    assert risk.check(_order(Side.SELL, 1), short, [], 0) is not None
    flip = risk.check(_order(Side.BUY, 2000), short, [], 0)  # crosses through zero to +1100
    assert flip is not None


def test_stale_price_refuses_the_order_when_max_price_age_is_set() -> None:
    risk = RiskEngine(RiskConfig(max_price_age="3d"))
    view = _portfolio(ts=0)
    assert risk.check(_order(Side.BUY, 1), view, [], 2 * DAY) is None
    denial = risk.check(_order(Side.BUY, 1), view, [], 8 * DAY)
    assert denial is not None
    assert denial[0] == "max_price_age"


def test_non_finite_quantities_and_prices_are_refused() -> None:
    risk = RiskEngine()
    assert risk.check(_order(Side.BUY, float("nan")), _portfolio(), [], 0)[0] == "order_sanity"  # type: ignore[index]
    limit = _order(Side.BUY, 1, order_type=OrderType.LIMIT, limit_price=float("inf"))
    assert risk.check(limit, _portfolio(), [], 0)[0] == "order_sanity"  # type: ignore[index]
