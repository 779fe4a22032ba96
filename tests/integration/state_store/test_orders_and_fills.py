"""Write-before-act: intents, the event journal, and fills booked exactly once."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from quantrail.core.enums import OrderStatus, Side
from quantrail.core.errors import InvariantViolation
from quantrail.core.order_state import OrderEventKind as E
from quantrail.portfolio import Portfolio
from quantrail.store.state import StateStore
from quantrail.store.state.schema import FILLS, ORDER_EVENTS, POSITIONS
from tests.integration.state_store.conftest import make_fill, make_order

S = OrderStatus


def _count(store: StateStore, table: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_the_intent_is_written_new_and_rebuilds_the_order(store: StateStore) -> None:
    order = make_order(limit_price=99.5)
    assert store.record_submit_intent(order) is True
    [stored] = store.load_open_orders()
    assert stored.status is S.NEW
    assert stored.intent == order.intent  # symbol, side, quantity, type, prices, state, reason
    rebuilt = stored.to_order()
    assert (rebuilt.client_order_id, rebuilt.strategy_id, rebuilt.seq) == ("o-1", "sma", 1)
    assert rebuilt.limit_price == 99.5
    assert math.isnan(rebuilt.avg_fill_price)
    assert store.load_state().unresolved_submits == (stored,)


def test_a_retried_intent_is_a_noop_but_a_different_one_is_refused(store: StateStore) -> None:
    store.record_submit_intent(make_order())
    assert store.record_submit_intent(make_order()) is False
    with pytest.raises(InvariantViolation, match=r"o-1 is already stored .*quantity differ"):
        store.record_submit_intent(make_order(quantity=11.0))


def test_only_a_new_order_with_a_real_quantity_is_written(store: StateStore) -> None:
    submitted = make_order()
    submitted.status = S.SUBMITTED
    with pytest.raises(InvariantViolation, match="written while the order is NEW"):
        store.record_submit_intent(submitted)
    with pytest.raises(InvariantViolation, match="quantity nan"):
        store.record_submit_intent(make_order(quantity=math.nan))
    assert store.load_open_orders() == ()


def test_every_transition_is_journaled_with_its_source(store: StateStore) -> None:
    store.record_submit_intent(make_order())
    assert store.record_event("o-1", E.SUBMIT, S.SUBMITTED, 1_100, "engine")
    assert store.record_event(
        "o-1", E.ACCEPT, S.ACCEPTED, 1_200, "venue", "ev-1", venue_order_id="V-9"
    )
    journal = store.load_events("o-1")
    assert [(e.kind, e.status, e.source, e.venue_event_id) for e in journal] == [
        ("submit", S.SUBMITTED, "engine", None),
        ("accept", S.ACCEPTED, "venue", "ev-1"),
    ]
    stored = store.load_order("o-1")
    assert stored is not None
    assert (stored.status, stored.venue_order_id, stored.ts_last) == (S.ACCEPTED, "V-9", 1_200)


def test_a_redelivered_venue_event_is_applied_once(store: StateStore) -> None:
    store.record_submit_intent(make_order())
    store.record_event("o-1", E.SUBMIT, S.SUBMITTED, 1_100, "engine")
    assert store.record_event("o-1", E.ACCEPT, S.ACCEPTED, 1_200, "venue", "ev-1")
    store.record_event("o-1", E.CANCEL_REQUEST, S.PENDING_CANCEL, 1_300, "engine")
    # The stream redelivers the ack after the cancel request: it must not undo the request.
    assert not store.record_event("o-1", E.ACCEPT, S.ACCEPTED, 1_200, "venue", "ev-1")
    assert store.load_order("o-1").status is S.PENDING_CANCEL  # type: ignore[union-attr]
    assert len(store.load_events("o-1")) == 3


def test_the_database_itself_refuses_a_duplicate_venue_event(store: StateStore) -> None:
    store.record_submit_intent(make_order())
    store.record_event("o-1", E.SUBMIT, S.SUBMITTED, 1_100, "venue", "ev-1")
    row = {"client_order_id": "o-1", "kind": "submit", "status": "submitted", "ts": 1,
           "source": "venue", "venue_event_id": "ev-1", "reason": ""}  # fmt: skip
    with pytest.raises(IntegrityError), store.transaction() as conn:
        conn.execute(insert(ORDER_EVENTS).values(row))
    assert _count(store, ORDER_EVENTS) == 1


def test_a_finished_order_is_never_moved_and_unknown_orders_are_refused(
    store: StateStore,
) -> None:
    store.record_submit_intent(make_order())
    store.record_event("o-1", E.SUBMIT, S.SUBMITTED, 1_100, "engine")
    store.record_event("o-1", E.CANCEL, S.CANCELED, 1_200, "venue", "ev-1")
    with pytest.raises(InvariantViolation, match="already canceled; refusing to move it"):
        store.record_event("o-1", E.ACCEPT, S.ACCEPTED, 1_300, "venue", "ev-2")
    assert [e.venue_event_id for e in store.load_events("o-1")] == [None, "ev-1"]  # rolled back
    with pytest.raises(InvariantViolation, match="not in the state store"):
        store.record_event("ghost", E.ACCEPT, S.ACCEPTED, 1, "venue", "ev-3")
    assert store.load_open_orders() == ()


def test_a_fill_is_booked_once_with_position_progress_and_cash(store: StateStore) -> None:
    store.snapshot_account(500, 10_000.0, 20_000.0, 10_000.0)
    store.record_submit_intent(make_order())
    assert store.record_fill(make_fill(quantity=4.0, price=100.0), "x-1") is True
    assert store.record_fill(make_fill(quantity=4.0, price=100.0), "x-1") is False
    assert store.record_fill(make_fill(quantity=6.0, price=101.0, fill_id="f-2"), "x-2")
    state = store.load_state()
    position = state.positions["SPY"]
    assert position.quantity == 10.0
    assert position.average_price == pytest.approx(100.6)
    assert state.cash == pytest.approx(10_000.0 - 400.0 - 606.0 - 2.0)
    [order] = state.open_orders
    assert (order.filled_quantity, order.commission) == (10.0, 2.0)
    assert order.avg_fill_price == pytest.approx(100.6)
    fills = store.load_fills("o-1")
    assert [(f.venue_execution_id, f.position_after) for f in fills] == [
        ("x-1", 4.0),
        ("x-2", 10.0),
    ]
    assert fills[0].fill == make_fill(quantity=4.0, price=100.0)


def test_the_database_itself_refuses_a_duplicate_execution_id(store: StateStore) -> None:
    store.record_submit_intent(make_order())
    store.record_fill(make_fill(quantity=4.0), "x-1")
    [booked] = store.load_fills()
    row = {c.name: getattr(booked.fill, c.name, None) for c in FILLS.columns if c.name != "seq"}
    row.update(venue_execution_id="x-1", side="buy", position_after=8.0)
    with pytest.raises(IntegrityError), store.transaction() as conn:
        conn.execute(insert(FILLS).values(row))
    assert _count(store, FILLS) == 1
    assert store.load_positions()["SPY"].quantity == 4.0


def test_positions_follow_the_portfolio_arithmetic(store: StateStore) -> None:
    # Buy, add, partly sell, flip short, cover: the store and Portfolio must agree exactly.
    steps = [("SPY", Side.BUY, 10, 100.0), ("SPY", Side.BUY, 5, 103.0),
             ("QQQ", Side.SELL, 3, 50.0), ("SPY", Side.SELL, 8, 105.0),
             ("SPY", Side.SELL, 12, 99.0), ("SPY", Side.BUY, 4, 97.5),
             ("QQQ", Side.BUY, 3, 48.0)]  # fmt: skip
    portfolio = Portfolio(1_000_000.0)
    store.snapshot_account(0, 1_000_000.0, 1_000_000.0, 1_000_000.0)
    for i, (symbol, side, quantity, price) in enumerate(steps):
        cid = f"o-{i}"
        store.record_submit_intent(make_order(cid, symbol, side, quantity, seq=i))
        fill = make_fill(cid, quantity, price, symbol=symbol, side=side, fill_id=f"f-{i}", ts=i)
        assert store.record_fill(fill, f"x-{i}")
        portfolio.apply_fill(fill)
    held = store.load_positions()
    assert {s: p.quantity for s, p in held.items()} == portfolio.positions()
    assert held["SPY"].average_price == portfolio.average_price("SPY")
    assert held["SPY"].quantity == -1.0
    assert held["SPY"].average_price == 99.0
    with store.read() as conn:
        realized = conn.execute(select(func.sum(POSITIONS.c.realized_pnl))).scalar_one()
    assert realized == pytest.approx(portfolio.realized_pnl)
    assert "QQQ" not in held  # flat positions are not open positions
    assert store.load_state().cash == pytest.approx(portfolio.cash)


@pytest.mark.parametrize(
    ("fill_kwargs", "message"),
    [
        ({"client_order_id": "ghost"}, "not in the state store"),
        ({"symbol": "QQQ"}, "is a buy of QQQ but order o-1 is a buy of SPY"),
        ({"side": Side.SELL}, "is a sell of SPY but order o-1 is a buy"),
        ({"quantity": 10.5}, "would fill 10.5 of order o-1's 10.0"),
        ({"quantity": 0.0}, "refusing to book it"),
        ({"price": math.inf}, "refusing to book it"),
    ],
)
def test_an_impossible_fill_is_refused_and_writes_nothing(
    store: StateStore, fill_kwargs: dict[str, object], message: str
) -> None:
    store.record_submit_intent(make_order())
    with pytest.raises(InvariantViolation, match=message):
        store.record_fill(make_fill(**fill_kwargs), "x-1")  # type: ignore[arg-type]
    assert store.load_fills() == []
    assert store.load_positions() == {}


def test_a_confirmed_modify_stores_the_new_terms(store: StateStore) -> None:
    store.record_submit_intent(make_order(limit_price=99.0))
    store.record_fill(make_fill(quantity=4.0), "x-1")
    with store.transaction():
        store.record_event("o-1", E.REPLACE, S.ACCEPTED, 3_000, "venue", "ev-9")
        store.update_order_terms("o-1", 3_000, quantity=6.0, limit_price=98.0)
    stored = store.load_order("o-1")
    assert stored is not None
    assert (stored.intent.quantity, stored.intent.limit_price, stored.ts_last) == (6.0, 98.0, 3_000)
    with pytest.raises(InvariantViolation, match=r"quantity 3\.0 is below the 4\.0 already filled"):
        store.update_order_terms("o-1", 3_100, quantity=3.0)


def test_terminal_orders_are_not_open(store: StateStore) -> None:
    for i, status in enumerate((S.FILLED, S.CANCELED, S.ACCEPTED, S.PENDING_CANCEL)):
        store.record_submit_intent(make_order(f"o-{i}", seq=i, ts=i))
        store.record_event(f"o-{i}", "test", status, 10 + i, "engine")
    store.record_submit_intent(make_order("o-new", seq=9, ts=9))
    assert [o.client_order_id for o in store.load_open_orders()] == ["o-2", "o-3", "o-new"]
