"""Markers, strategy state, account, latency, transactions, risk state and the status report."""

from __future__ import annotations

import pytest

from quantrail.core.enums import OrderStatus
from quantrail.core.errors import InvariantViolation
from quantrail.risk import RiskConfig, RiskEngine, RiskMode
from quantrail.store.state import (
    DurableRiskState,
    LatencyStage,
    MarkerRegression,
    StateStore,
    percentile,
    status_report,
)
from tests.conftest import NO_DEFAULT_LIMITS
from tests.integration.state_store.conftest import make_fill, make_order


def test_markers_only_move_forward(store: StateStore) -> None:
    assert store.marker("bars.SPY") is None
    store.set_marker("bars.SPY", 100)
    store.set_marker("bars.SPY", 100)  # the same event again: a no-op, not an error
    store.set_marker("bars.SPY", 250)
    store.set_marker("trades.BTC", 5)  # streams are independent
    with pytest.raises(MarkerRegression, match=r"'bars.SPY' is at 250; refusing to move it back"):
        store.set_marker("bars.SPY", 249)
    assert store.load_state().markers == {"bars.SPY": 250, "trades.BTC": 5}
    assert issubclass(MarkerRegression, InvariantViolation)


def test_strategy_state_round_trips_as_json_or_bytes(store: StateStore) -> None:
    store.save_strategy_state("sma", {"was_below": True, "n": 3}, ts=10)
    store.save_strategy_state("ml", b"\x00\x01pickle-free")
    store.save_strategy_state("sma", {"was_below": False}, ts=20)  # replaces
    assert store.load_state().strategy_state == {
        "ml": b"\x00\x01pickle-free",
        "sma": {"was_below": False},
    }
    assert store.load_strategy_state("nope") is None
    with pytest.raises(TypeError, match="must be JSON-serialisable"):
        store.save_strategy_state("bad", {"x": object()})
    with pytest.raises(TypeError, match="must be JSON-serialisable"):
        store.save_strategy_state("bad", {"x": float("nan")})


def test_an_account_snapshot_resets_the_cash_book(store: StateStore) -> None:
    assert store.load_state().cash is None
    assert store.load_account() is None
    store.record_submit_intent(make_order())
    store.record_fill(make_fill(quantity=2.0), "x-0")  # before any snapshot: cash unknown
    assert store.load_state().cash is None
    store.snapshot_account(100, 5_000.0, 10_000.0, 5_200.0)
    store.record_fill(make_fill(quantity=3.0, fill_id="f-2"), "x-1")
    state = store.load_state()
    assert state.cash == 5_000.0 - 300.0 - 1.0
    assert state.account is not None
    assert state.account.equity == 5_200.0
    store.snapshot_account(200, 4_690.0, 9_000.0, 5_190.0)  # the venue's word wins
    assert store.load_state().cash == 4_690.0
    with pytest.raises(InvariantViolation, match="equity is nan"):
        store.snapshot_account(300, 1.0, 1.0, float("nan"))


def test_latency_samples_and_percentiles(store: StateStore) -> None:
    store.record_latencies([(LatencyStage.RISK, ns, None) for ns in range(1, 101)])
    store.record_latency("ack", 7_000, ts=5)
    assert store.latency_samples("risk", window=3) == [100, 99, 98]
    report = status_report(store)["latency"]
    assert report["risk"] == {"count": 100, "window": 100, "p50_ns": 50, "p99_ns": 99}
    assert report["ack"]["p99_ns"] == 7_000
    assert report["fill"] == {"count": 0, "window": 0, "p50_ns": None, "p99_ns": None}
    with pytest.raises(ValueError, match="'warp' is not one of: data_received, features"):
        store.record_latency("warp", 1)
    with pytest.raises(ValueError, match="negative"):
        store.record_latency("risk", -1)


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 99) == 7
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile(list(range(1, 1001)), 99) == 990


def test_a_transaction_commits_everything_or_nothing(store: StateStore) -> None:
    store.record_submit_intent(make_order())

    def bar_that_crashes() -> None:
        with store.transaction():
            store.record_fill(make_fill(), "x-1")
            store.record_event("o-1", "fill", OrderStatus.FILLED, 2_000, "venue", "x-1")
            store.set_marker("bars.SPY", 2_000)
            raise RuntimeError("crash mid-bar")

    with pytest.raises(RuntimeError, match="crash mid-bar"):
        bar_that_crashes()
    assert store.load_fills() == []
    assert store.marker("bars.SPY") is None
    assert store.load_order("o-1").status is OrderStatus.NEW  # type: ignore[union-attr]


def test_a_failed_call_inside_a_transaction_leaves_nothing_behind(store: StateStore) -> None:
    store.record_submit_intent(make_order())
    store.record_event("o-1", "cancel", OrderStatus.CANCELED, 1_500, "venue", "ev-1")
    with store.transaction():
        store.set_marker("bars.SPY", 10)
        # The event row is inserted before the terminal check fails: the savepoint drops it.
        with pytest.raises(InvariantViolation):
            store.record_event("o-1", "accept", OrderStatus.ACCEPTED, 1_600, "venue", "ev-2")
        store.set_marker("bars.SPY", 20)
    assert [e.venue_event_id for e in store.load_events("o-1")] == ["ev-1"]
    assert store.marker("bars.SPY") == 20


def test_the_risk_latch_survives_a_restart_in_the_state_store(state_url: str) -> None:
    config = RiskConfig.model_validate(NO_DEFAULT_LIMITS)
    with StateStore.open(state_url) as store:
        risk = RiskEngine(config, DurableRiskState(store))
        risk.halt("drawdown review", "alice", ts_ns=1_000)
        risk.state.set_marks({"equity_peak": 101_000.0})
        assert status_report(store)["risk"]["mode"] == "halted"
    with StateStore.open(state_url) as store:
        durable = DurableRiskState(store)
        restarted = RiskEngine(config, durable)
        assert restarted.mode is RiskMode.HALTED
        assert durable.mark("equity_peak") == 101_000.0
        state = store.load_state().risk
        assert state.mode is RiskMode.HALTED
        assert state.latches["latch"].actor == "alice"
        restarted.resume("bob", confirm=True, ts_ns=2_000)
        assert [(c.actor, c.new) for c in durable.changes()] == [
            ("alice", "halted"),
            ("bob", "active"),
        ]
    with StateStore.open(state_url) as store:
        assert RiskEngine(config, DurableRiskState(store)).mode is RiskMode.ACTIVE
        assert len(store.load_state().risk.changes) == 2


def test_status_report_and_load_state_after_a_restart(state_url: str) -> None:
    with StateStore.open(state_url) as store:
        store.snapshot_account(1, 10_000.0, 20_000.0, 10_000.0)
        store.record_submit_intent(make_order())
        store.record_event("o-1", "submit", OrderStatus.SUBMITTED, 1_100, "engine")
        store.record_fill(make_fill(quantity=4.0), "x-1")
        store.record_event("o-1", "partial_fill", OrderStatus.PARTIALLY_FILLED, 2_000, "venue")
        store.record_submit_intent(make_order("o-2", seq=2, ts=1_500))  # submit not confirmed
        store.set_marker("bars.SPY", 2_000)
        store.save_strategy_state("sma", {"was_below": True})
    with StateStore.open(state_url) as store:
        state = store.load_state()
        report = status_report(store)
    assert state.revision == "r0001"
    assert [(o.client_order_id, o.status) for o in state.open_orders] == [
        ("o-1", OrderStatus.PARTIALLY_FILLED),
        ("o-2", OrderStatus.NEW),
    ]
    assert [o.client_order_id for o in state.unresolved_submits] == ["o-2"]
    assert state.positions["SPY"].quantity == 4.0
    assert state.cash == 10_000.0 - 401.0
    assert state.markers == {"bars.SPY": 2_000}
    assert state.strategy_state == {"sma": {"was_below": True}}
    assert state.risk.mode is RiskMode.ACTIVE
    assert report["positions"]["SPY"]["quantity"] == 4.0
    assert [o["status"] for o in report["working_orders"]] == ["partially_filled", "new"]
    assert report["markers"] == {"bars.SPY": 2_000}
    assert report["risk"]["mode"] == "active"
    assert report["cash"] == state.cash
    assert report["account"]["equity"] == 10_000.0


def test_a_reader_is_not_blocked_by_an_open_write_transaction(store: StateStore) -> None:
    # `quantrail status` reads while the engine is mid-transaction: it sees the last commit.
    store.set_marker("bars.SPY", 1)
    with store.transaction(), StateStore.open(state_url_of(store), migrate=False) as reader:
        store.set_marker("bars.SPY", 2)
        assert reader.marker("bars.SPY") == 1
        assert status_report(reader)["markers"] == {"bars.SPY": 1}
    assert store.marker("bars.SPY") == 2


def state_url_of(store: StateStore) -> str:
    return store.engine.url.render_as_string(hide_password=False)
