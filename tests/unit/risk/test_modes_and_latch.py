"""Modes, the persisted latch, the kill switch, limit changes, blind monitors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quantrail.core import OrderStatus, OrderType, Side
from quantrail.risk import KillSwitch, RiskAction, RiskEngine, RiskMode, RiskStateStore
from tests.unit.risk.fakes import FakeView, bar, bare, book, order


def test_reduce_only_lets_reductions_through_and_nothing_that_grows_or_flips() -> None:
    risk = RiskEngine(bare())
    assert risk.reduce_only("desk limit", "alice", ts_ns=1) == [RiskAction.REDUCE_ONLY]
    view = FakeView(book(X=100))
    assert risk.check(order(Side.SELL, 100), view) is None
    for grows in (order(Side.BUY, 1), order(Side.SELL, 101), order(Side.BUY, 1, symbol="Y")):
        denial = risk.check(grows, FakeView(book(prices={"Y": 1.0}, X=100)))
        assert denial is not None
        assert denial.rule == "reduce_only"
    # A working sell already covering the position makes another sell an increase.
    view.working = [order(Side.SELL, 100)]
    assert risk.check(order(Side.SELL, 1), view) is not None


def test_halted_refuses_everything_but_the_engines_reducing_flatten_orders() -> None:
    risk = RiskEngine(bare())
    assert risk.halt("bad fills", "bob", ts_ns=2) == [RiskAction.HALT]
    view = FakeView(book(X=100))
    exit_ = risk.check(order(Side.SELL, 100), view)
    assert exit_ is not None
    assert exit_.rule == "halted"
    assert risk.check(order(Side.SELL, 100, state={"risk_flatten": True}), view) is None
    assert risk.check(order(Side.SELL, 101, state={"risk_flatten": True}), view) is not None
    assert risk.halt("again", "bob") == []  # already halted
    assert risk.halt("x", "bob", flatten=True) == []


def test_a_flatten_order_passes_while_the_stop_it_replaces_is_still_being_canceled() -> None:
    risk = RiskEngine(bare())
    risk.halt("breaker", "drawdown", flatten=True)
    view = FakeView(book(X=100))
    stop = order(Side.SELL, 100, order_type=OrderType.STOP, stop_price=90.0)
    stop.status = OrderStatus.PENDING_CANCEL
    view.working = [stop]
    assert risk.check(order(Side.SELL, 100, state={"risk_flatten": True}), view) is None


def test_an_operator_halt_with_flatten_asks_for_the_breaker_actions() -> None:
    actions = RiskEngine(bare()).halt("market crash", "carol", flatten=True)
    assert actions == [RiskAction.CANCEL_ALL, RiskAction.FLATTEN_ALL, RiskAction.HALT]


def test_the_latch_survives_a_restart_and_only_a_confirmed_resume_clears_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "risk.sqlite"
    first = RiskEngine(bare(), RiskStateStore(path))
    first.halt("fat finger", "alice", ts_ns=10)
    restarted = RiskEngine(bare(), RiskStateStore(path))
    assert restarted.mode is RiskMode.HALTED
    with pytest.raises(ValueError, match="confirm=True"):
        restarted.resume("bob", confirm=False)
    assert restarted.mode is RiskMode.HALTED
    restarted.resume("bob", confirm=True, ts_ns=20)
    assert RiskEngine(bare(), RiskStateStore(path)).mode is RiskMode.ACTIVE
    log = [(c.ts_ns, c.actor, c.old, c.new) for c in RiskStateStore(path).changes()]
    assert log == [(10, "alice", "active", "halted"), (20, "bob", "halted", "active")]


def test_the_drawdown_breaker_latch_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "risk.sqlite"
    config = bare(drawdown={"max_drawdown": 0.1})
    risk = RiskEngine(config, RiskStateStore(path))
    view = FakeView(book(X=1000))
    risk.on_bar(bar(session=1), view)
    view.portfolio.last_prices["X"] = 80.0
    assert RiskAction.HALT in risk.on_bar(bar(session=1), view)
    restarted = RiskEngine(config, RiskStateStore(path))
    assert restarted.mode is RiskMode.HALTED
    assert restarted.on_bar(bar(session=2), view) == []


def test_a_daily_loss_latch_survives_a_restart_within_its_session_only(tmp_path: Path) -> None:
    path = tmp_path / "risk.sqlite"
    config = bare(daily_loss={"max_loss_pct": 0.05})
    risk = RiskEngine(config, RiskStateStore(path))
    view = FakeView(book(X=1000))
    risk.on_bar(bar(session=7), view)
    view.portfolio.last_prices["X"] = 90.0
    risk.on_bar(bar(session=7), view)
    same_session = RiskEngine(config, RiskStateStore(path))
    assert same_session.mode is RiskMode.REDUCE_ONLY
    same_session.on_bar(bar(session=7), view)
    assert same_session.mode is RiskMode.REDUCE_ONLY
    same_session.on_bar(bar(session=8), view)
    assert same_session.mode is RiskMode.ACTIVE
    assert RiskEngine(config, RiskStateStore(path)).mode is RiskMode.ACTIVE


def test_the_kill_switch_denies_at_once_and_latches_halted_on_the_next_bar(
    tmp_path: Path,
) -> None:
    switch = KillSwitch(tmp_path / "KILL")
    risk = RiskEngine(bare(kill_switch={"path": str(switch.path)}))
    view = FakeView(book(X=10))
    assert not switch.triggered()
    assert risk.on_bar(bar(), view) == []
    switch.trigger("runaway strategy", "pager", ts_ns=5)
    denial = risk.check(order(Side.BUY, 1), view)
    assert denial is not None
    assert denial.rule == "kill_switch"
    assert risk.on_bar(bar(), view) == [
        RiskAction.CANCEL_ALL,
        RiskAction.FLATTEN_ALL,
        RiskAction.HALT,
    ]  # the kill switch flattens by default
    event = next(e for e in risk.events() if e.rule == "kill_switch" and e.severity == "halt")
    assert "pager" in event.message
    assert "runaway strategy" in event.message
    with pytest.raises(ValueError, match="still triggered"):
        risk.resume("ops", confirm=True)
    switch.clear()
    assert risk.mode is RiskMode.HALTED  # removing the file alone does not resume
    risk.resume("ops", confirm=True)
    assert risk.mode is RiskMode.ACTIVE
    assert risk.check(order(Side.BUY, 1), view) is None


def test_the_kill_switch_fails_closed_when_the_file_cannot_be_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    switch = KillSwitch(tmp_path / "KILL")

    def denied(path: object) -> os.stat_result:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "stat", denied)
    assert switch.triggered()


def test_a_hand_made_sentinel_counts(tmp_path: Path) -> None:
    switch = KillSwitch(tmp_path / "KILL")
    switch.path.touch()
    assert switch.triggered()
    assert switch.info() == {}


def test_a_limit_change_waits_for_the_next_session_unless_forced(tmp_path: Path) -> None:
    store = RiskStateStore(tmp_path / "risk.sqlite")
    risk = RiskEngine(bare(max_order_quantity=10), store)
    view = FakeView()
    risk.on_bar(bar(session=1), view)
    risk.update_config(bare(max_order_quantity=20), "alice", ts_ns=3)
    assert risk.check(order(Side.BUY, 15), view) is not None  # not yet
    assert risk.pending_config is not None
    risk.on_bar(bar(session=2), view)
    assert risk.check(order(Side.BUY, 15), view) is None
    risk.update_config(bare(max_order_quantity=5), "bob", ts_ns=4, force=True)
    assert risk.check(order(Side.BUY, 6), view) is not None
    config_log = [(c.actor, c.reason) for c in store.changes() if c.kind == "config"]
    assert config_log == [
        ("alice", "effective at the next session"),
        ("session", "applied at session start"),
        ("bob", "forced: effective now"),
    ]
    first = store.changes()[0]
    assert '"max_order_quantity":10.0' in first.old
    assert '"max_order_quantity":20.0' in first.new


class _NoEquity(FakeView):
    def __init__(self) -> None:
        super().__init__(book(X=10))
        self.portfolio.last_prices.pop("X")  # equity now raises KeyError


def test_a_monitor_that_cannot_see_equity_fails_closed_to_reduce_only() -> None:
    risk = RiskEngine()
    view = _NoEquity()
    assert risk.on_bar(bar(session=1), view) == [RiskAction.REDUCE_ONLY]
    assert risk.on_bar(bar(session=1), view) == []
    assert risk.mode is RiskMode.REDUCE_ONLY
    assert [e.rule for e in risk.events()] == ["equity_unavailable"]


def test_increasing_orders_lists_what_reduce_only_must_cancel() -> None:
    risk = RiskEngine(bare())
    view = FakeView(book(X=100))
    entry, stop = order(Side.BUY, 5), order(Side.SELL, 100)
    view.working = [entry, stop]
    assert risk.increasing_orders(view) == [entry]
