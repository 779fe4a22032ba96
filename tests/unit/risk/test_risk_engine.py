"""The pre-trade hook: worst case with working orders, reductions pass, fail closed."""

from __future__ import annotations

import copy

import pytest

from quantrail.core import OrderType, Side
from quantrail.risk import RiskConfig, RiskEngine
from tests.unit.risk.fakes import DAY, FakeView, bare, book, order


def test_working_orders_on_the_same_side_count_towards_the_position_limit() -> None:
    risk = RiskEngine(bare(max_position_quantity=100))
    view = FakeView()
    view.working = [order(Side.BUY, 90)]
    assert risk.check(order(Side.BUY, 10), view) is None  # exactly at the limit
    denial = risk.check(order(Side.BUY, 20), view)
    assert denial is not None
    assert denial.rule == "max_position_quantity"
    assert "110" in denial.reason
    assert denial.limit == 100
    assert denial.values["projected"] == 110


def test_oco_legs_count_once_and_a_modified_copy_is_not_counted_twice() -> None:
    risk = RiskEngine(bare(max_position_quantity=100))
    view = FakeView()
    view.working = [order(Side.BUY, 60, oco_group="G"), order(Side.BUY, 60, oco_group="G")]
    assert risk.check(order(Side.BUY, 40), view) is None  # 60 (one leg) + 40
    working = order(Side.BUY, 80)
    view.working = [working]
    proposed = copy.copy(working)
    proposed.quantity = 100  # a modify is checked as a copy with the same id
    assert risk.check(proposed, view) is None


def test_an_order_that_reduces_the_position_is_never_refused_by_exposure_rules() -> None:
    risk = RiskEngine(bare(max_gross_exposure=0.5, max_position_quantity=10))
    view = FakeView(book(prices={"X": 120.0}, X=-900))  # far beyond both limits already
    assert risk.check(order(Side.BUY, 100), view) is None
    assert risk.check(order(Side.SELL, 1), view) is not None
    assert risk.check(order(Side.BUY, 2000), view) is not None  # crosses zero to +1100


def test_stale_price_refuses_an_entry_but_not_an_exit() -> None:
    risk = RiskEngine(bare(max_price_age="3d"))
    assert risk.check(order(Side.BUY, 1), FakeView(now=3 * DAY)) is None  # exactly 3 days
    denial = risk.check(order(Side.BUY, 1), FakeView(now=3 * DAY + 1))
    assert denial is not None
    assert denial.rule == "max_price_age"
    assert risk.check(order(Side.SELL, 1), FakeView(book(X=5), now=8 * DAY)) is None


def test_non_finite_quantities_and_prices_are_refused() -> None:
    risk = RiskEngine(bare())
    nan = risk.check(order(Side.BUY, float("nan")), FakeView())
    assert nan is not None
    assert nan.rule == "order_sanity"
    limit = order(Side.BUY, 1, order_type=OrderType.LIMIT, limit_price=float("inf"))
    inf = risk.check(limit, FakeView())
    assert inf is not None
    assert inf.rule == "order_sanity"
    assert "limit_price" in inf.reason


def test_a_symbol_without_a_price_is_refused() -> None:
    denial = RiskEngine(bare()).check(order(Side.BUY, 1, symbol="NOPRICE"), FakeView())
    assert denial is not None
    assert denial.rule == "order_sanity"
    assert "NOPRICE" in denial.reason


class _Broken(FakeView):
    @property
    def portfolio(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("portfolio offline")


def test_a_view_that_raises_fails_closed() -> None:
    risk = RiskEngine()
    denial = risk.check(order(Side.SELL, 1), _Broken())
    assert denial is not None
    assert denial.rule == "risk_context"
    assert "could not evaluate" in denial.reason
    assert "portfolio offline" in denial.reason


def test_a_rule_that_raises_fails_closed_naming_the_rule() -> None:
    class NoTags(FakeView):
        def tags(self, symbol: str) -> dict[str, str]:
            raise KeyError(symbol)

    risk = RiskEngine(bare(concentration={"limits": {"sector": 0.5}}))
    denial = risk.check(order(Side.BUY, 1), NoTags())
    assert denial is not None
    assert denial.rule == "concentration"
    assert denial.reason.endswith("could not evaluate concentration: KeyError('X')")


def test_every_denial_is_an_event_and_counted_in_stats() -> None:
    risk = RiskEngine(bare(max_order_quantity=5))
    view = FakeView(now=7)
    risk.check(order(Side.BUY, 6), view)
    risk.check(order(Side.BUY, float("nan")), view)
    assert risk.stats() == {"max_order_quantity": 1, "order_sanity": 1}
    events = risk.drain_events()
    assert [(e.rule, e.severity, e.ts_ns, e.symbol) for e in events] == [
        ("max_order_quantity", "deny", 7, "X"),
        ("order_sanity", "deny", 7, "X"),
    ]
    assert events[0].values["limit"] == 5
    assert risk.events() == []


def test_default_config_keeps_its_documented_defaults() -> None:
    config = RiskConfig()
    assert config.max_position_pct == pytest.approx(0.10)
    assert config.daily_loss.max_loss_pct == pytest.approx(0.05)
    assert config.drawdown.max_drawdown == pytest.approx(0.15)
    assert RiskEngine().config == config
