"""Entries that need a protective stop; positions left without one."""

from __future__ import annotations

from typing import Any

from quantrail.core import OrderType, Side
from quantrail.risk import RiskEngine
from tests.unit.risk.fakes import FakeView, bar, bare, book, fill, order


def _stop(quantity: float, **kw: Any) -> object:
    return order(Side.SELL, quantity, order_type=OrderType.STOP, stop_price=90.0, **kw)


def test_an_entry_needs_working_stops_covering_the_whole_position() -> None:
    risk = RiskEngine(bare(protective_exits={"require_stop_for_entries": True}))
    view = FakeView(book(X=50))
    denial = risk.check(order(Side.BUY, 50), view)
    assert denial is not None
    assert denial.rule == "protective_stop"
    assert denial.limit == 100
    view.working = [_stop(60)]  # type: ignore[list-item]
    assert risk.check(order(Side.BUY, 50), view) is not None
    view.working = [_stop(60), _stop(40)]  # type: ignore[list-item]
    assert risk.check(order(Side.BUY, 50), view) is None


def test_bracket_legs_in_one_oco_group_count_once() -> None:
    risk = RiskEngine(bare(protective_exits={"require_stop_for_entries": True}))
    view = FakeView()
    view.working = [_stop(100, oco_group="B"), _stop(100, oco_group="B")]  # type: ignore[list-item]
    assert risk.check(order(Side.BUY, 100), view) is None
    assert risk.check(order(Side.BUY, 101), view) is not None


def test_the_intent_can_require_a_stop_and_stops_and_exits_never_need_one() -> None:
    risk = RiskEngine(bare())
    view = FakeView(book(X=10))
    assert risk.check(order(Side.BUY, 5), view) is None
    denial = risk.check(order(Side.BUY, 5, state={"requires_stop": True}), view)
    assert denial is not None
    assert denial.rule == "protective_stop"
    assert risk.check(_stop(5, state={"requires_stop": True}), view) is None  # type: ignore[arg-type]
    assert risk.check(order(Side.SELL, 5, state={"requires_stop": True}), view) is None


def test_an_unprotected_position_is_reported_once_per_position() -> None:
    risk = RiskEngine(bare(protective_exits={"warn_unprotected_positions": True}))
    view = FakeView(book(X=10))
    risk.on_bar(bar(ts=1), view)
    risk.on_bar(bar(ts=2), view)
    warnings = [e for e in risk.drain_events() if e.rule == "unprotected_position"]
    assert [(e.severity, e.symbol, e.ts_ns) for e in warnings] == [("warn", "X", 0)]
    view.portfolio.apply_fill(fill("X", Side.SELL, 10, 100.0))  # closed: a new episode
    risk.on_bar(bar(ts=3), view)
    view.portfolio.apply_fill(fill("X", Side.BUY, 5, 100.0))
    view.working = [_stop(5)]  # type: ignore[list-item]
    risk.on_bar(bar(ts=4), view)
    assert risk.drain_events() == []  # protected
    view.working = []
    risk.on_bar(bar(ts=5), view)
    assert [e.rule for e in risk.drain_events()] == ["unprotected_position"]


def test_fills_do_not_report_unprotected_positions() -> None:
    # The strategy places its stop in on_fill, which runs after the risk engine's.
    risk = RiskEngine(bare(protective_exits={"warn_unprotected_positions": True}))
    assert risk.on_fill(fill("X", Side.BUY, 10, 100.0), FakeView(book(X=10))) == []
    assert risk.events() == []
