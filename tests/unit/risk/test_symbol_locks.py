"""Per-symbol reduce-only locks (reconciliation breaks): boundaries, "*", persistence, events."""

from __future__ import annotations

from pathlib import Path

from quantrail.core import Side
from quantrail.risk import RiskEngine, RiskMode, RiskStateStore
from tests.unit.risk.fakes import FakeView, bare, book, order

FLATTEN = {"risk_flatten": True}


def _view() -> FakeView:
    return FakeView(book(prices={"Y": 50.0}, X=100, Y=-10))


def test_a_locked_symbol_refuses_increases_and_flips_but_lets_reductions_through() -> None:
    risk = RiskEngine(bare())
    assert risk.lock_symbol("X", "unexplained break", "reconciler", ts_ns=5) is True
    view = _view()
    grow = risk.check(order(Side.BUY, 1), view)
    assert grow is not None
    assert grow.rule == "symbol_locked"
    assert grow.values["reason"] == "unexplained break"
    assert grow.values["locked_by"] == "reconciler"
    assert grow.values["lock"] == "X"
    assert grow.values["position"] == 100
    assert grow.values["projected"] == 101
    assert "unexplained break" in grow.reason
    assert "reconciler" in grow.reason
    flip = risk.check(order(Side.SELL, 101), view)
    assert flip is not None
    assert flip.rule == "symbol_locked"
    assert risk.check(order(Side.SELL, 100), view) is None  # down to flat: a reduction
    assert risk.check(order(Side.SELL, 40), view) is None
    assert risk.check(order(Side.SELL, 100, state=FLATTEN), view) is None
    # Other symbols trade as usual, increases included; the mode is untouched.
    assert risk.check(order(Side.SELL, 5, symbol="Y"), view) is None
    assert risk.check(order(Side.BUY, 5, symbol="Z"), FakeView(book(prices={"Z": 1.0}))) is None
    assert risk.mode is RiskMode.ACTIVE
    assert risk.stats()["symbol_locked"] == 2


def test_a_working_order_on_the_same_side_counts_toward_the_worst_case() -> None:
    risk = RiskEngine(bare())
    risk.lock_symbol("X", "break", "reconciler", ts_ns=1)
    view = _view()
    view.working = [order(Side.SELL, 100)]
    denial = risk.check(order(Side.SELL, 1), view)  # worst case: 100 - 101 flips short
    assert denial is not None
    assert denial.rule == "symbol_locked"


def test_a_flat_locked_symbol_refuses_any_new_position() -> None:
    risk = RiskEngine(bare())
    risk.lock_symbol("Z", "break", "reconciler", ts_ns=1)
    view = FakeView(book(prices={"Z": 1.0}))
    for side in (Side.BUY, Side.SELL):
        denial = risk.check(order(side, 1, symbol="Z"), view)
        assert denial is not None
        assert denial.rule == "symbol_locked"


def test_the_account_wide_lock_makes_every_symbol_reduce_only_without_changing_the_mode() -> None:
    risk = RiskEngine(bare())
    risk.lock_symbol("*", "cash difference", "reconciler", ts_ns=3)
    view = _view()
    for grows in (order(Side.BUY, 1), order(Side.SELL, 1, symbol="Y")):
        denial = risk.check(grows, view)
        assert denial is not None
        assert denial.rule == "symbol_locked"
        assert denial.values["lock"] == "*"
        assert denial.values["reason"] == "cash difference"
    assert risk.check(order(Side.SELL, 50), view) is None
    assert risk.check(order(Side.BUY, 10, symbol="Y"), view) is None
    assert risk.mode is RiskMode.ACTIVE
    assert risk.locked_symbols() == {"*": "cash difference"}


def test_unlock_clears_the_lock_and_logs_who_and_when() -> None:
    risk = RiskEngine(bare())
    risk.lock_symbol("X", "break", "reconciler", ts_ns=10)
    risk.lock_symbol("*", "cash", "reconciler", ts_ns=11)
    assert risk.locked_symbols() == {"X": "break", "*": "cash"}
    assert risk.unlock_symbol("X", "alice", ts_ns=20) is True
    assert risk.locked_symbols() == {"*": "cash"}
    assert risk.check(order(Side.BUY, 1), _view()) is not None  # "*" still holds
    assert risk.unlock_symbol("*", "alice", ts_ns=21) is True
    assert risk.locked_symbols() == {}
    assert risk.check(order(Side.BUY, 1), _view()) is None
    assert risk.unlock_symbol("X", "alice", ts_ns=22) is False  # nothing to clear: no log

    events = [e for e in risk.events() if e.rule in ("symbol_lock", "symbol_unlock")]
    assert [(e.rule, e.symbol, e.ts_ns, e.severity) for e in events] == [
        ("symbol_lock", "X", 10, "reduce_only"),
        ("symbol_lock", "*", 11, "reduce_only"),
        ("symbol_unlock", "X", 20, "warn"),
        ("symbol_unlock", "*", 21, "warn"),
    ]
    assert events[0].values == {"reason": "break", "actor": "reconciler"}
    assert events[2].values["actor"] == "alice"
    changes = [c for c in risk.state.changes() if c.kind == "symbol_lock"]
    assert [(c.ts_ns, c.actor, c.old, c.new) for c in changes] == [
        (10, "reconciler", "unlocked", "locked"),
        (11, "reconciler", "unlocked", "locked"),
        (20, "alice", "locked", "unlocked"),
        (21, "alice", "locked", "unlocked"),
    ]
    assert changes[0].reason == "X: break"


def test_locking_twice_keeps_the_first_reason_and_logs_once() -> None:
    risk = RiskEngine(bare())
    assert risk.lock_symbol("X", "first", "reconciler", ts_ns=1) is True
    assert risk.lock_symbol("X", "second", "bob", ts_ns=2) is False
    assert risk.locked_symbols() == {"X": "first"}
    assert len([c for c in risk.state.changes() if c.kind == "symbol_lock"]) == 1
    assert len([e for e in risk.events() if e.rule == "symbol_lock"]) == 1


def test_locks_survive_a_restart_on_the_same_store_file(tmp_path: Path) -> None:
    path = tmp_path / "risk.sqlite"
    first = RiskEngine(bare(), RiskStateStore(path))
    first.lock_symbol("X", "break", "reconciler", ts_ns=7)
    first.lock_symbol("*", "cash", "reconciler", ts_ns=8)
    first.unlock_symbol("*", "alice", ts_ns=9)

    second = RiskEngine(bare(), RiskStateStore(path))
    assert second.locked_symbols() == {"X": "break"}
    lock = second.state.symbol_lock("X")
    assert lock is not None
    assert (lock.actor, lock.ts_ns) == ("reconciler", 7)
    denial = second.check(order(Side.BUY, 1), _view())
    assert denial is not None
    assert denial.rule == "symbol_locked"
    assert denial.values["locked_by"] == "reconciler"
    assert second.mode is RiskMode.ACTIVE
    logged = [(c.actor, c.new) for c in second.state.changes() if c.kind == "symbol_lock"]
    assert logged == [("reconciler", "locked"), ("reconciler", "locked"), ("alice", "unlocked")]

    second.unlock_symbol("X", "alice", ts_ns=30)
    third = RiskEngine(bare(), RiskStateStore(path))
    assert third.locked_symbols() == {}
    assert third.check(order(Side.BUY, 1), _view()) is None


def test_the_mode_gate_still_comes_first() -> None:
    risk = RiskEngine(bare())
    risk.lock_symbol("X", "break", "reconciler", ts_ns=1)
    risk.halt("desk", "bob", ts_ns=2)
    denial = risk.check(order(Side.BUY, 1), _view())
    assert denial is not None
    assert denial.rule == "halted"
