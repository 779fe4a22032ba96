"""Recovery of the order sequence and of booked fill ids, and restoring them into the OMS."""

from __future__ import annotations

from quantrail.core.enums import OrderStatus, Side
from quantrail.core.orders import OrderIntent
from quantrail.oms import OrderManager
from quantrail.store.state import StateStore
from tests.integration.state_store.conftest import make_fill, make_order

S = OrderStatus


def _filled(store: StateStore, cid: str, seq: int, strategy_id: str = "sma") -> None:
    """An order submitted, accepted and completely filled (execution id ``x-<cid>``)."""
    store.record_submit_intent(make_order(cid, seq=seq, strategy_id=strategy_id))
    store.record_event(cid, "submit", S.SUBMITTED, 1_100, "engine")
    store.record_event(cid, "accept", S.ACCEPTED, 1_200, "venue", f"ack-{cid}")
    store.record_fill(make_fill(cid, fill_id=f"x-{cid}"), f"x-{cid}")
    store.record_event(cid, "fill", S.FILLED, 2_000, "venue", f"fill-{cid}")


def test_an_empty_store_has_no_sequence_and_no_fills(store: StateStore) -> None:
    state = store.load_state()
    assert state.last_seq == {}
    assert state.fill_ids_by_order == {}


def test_last_seq_counts_finished_orders_per_strategy(store: StateStore) -> None:
    _filled(store, "sma-1", 1)
    _filled(store, "sma-7", 7)
    _filled(store, "mr-3", 3, strategy_id="mr")
    store.record_submit_intent(make_order("sma-4", seq=4))  # open, below the finished max
    state = store.load_state()
    assert state.last_seq == {"mr": 3, "sma": 7}
    assert [o.client_order_id for o in state.open_orders] == ["sma-4"]


def test_last_seq_survives_when_every_order_finished(store: StateStore) -> None:
    _filled(store, "sma-1", 1)
    _filled(store, "sma-2", 2)
    state = store.load_state()
    assert state.open_orders == ()
    oms = OrderManager(strict=False, start_seq=max(state.last_seq.values(), default=0))
    new = oms.create(OrderIntent("SPY", Side.BUY, 1.0), "sma", 0)
    assert new.client_order_id == "sma-3"


def test_fill_ids_by_order_lists_execution_ids_in_fill_order(store: StateStore) -> None:
    store.record_submit_intent(make_order("sma-1", seq=1))
    store.record_submit_intent(make_order("sma-2", seq=2))
    for cid in ("sma-1", "sma-2"):
        store.record_event(cid, "submit", S.SUBMITTED, 1_100, "engine")
        store.record_event(cid, "accept", S.ACCEPTED, 1_200, "venue", f"ack-{cid}")
    store.record_fill(make_fill("sma-1", 3.0, fill_id="f-a"), "x-a")
    store.record_fill(make_fill("sma-2", 2.0, fill_id="f-b"), "x-b")
    store.record_fill(make_fill("sma-1", 4.0, fill_id="f-c"), "x-c")
    store.record_fill(make_fill("sma-1", 4.0, fill_id="f-c"), "x-c")  # redelivered: ignored
    assert store.load_state().fill_ids_by_order == {"sma-1": ("x-a", "x-c"), "sma-2": ("x-b",)}


def test_restoring_the_recovered_state_into_a_fresh_oms(store: StateStore) -> None:
    _filled(store, "sma-5", 5)
    store.record_submit_intent(make_order("sma-2", seq=2, quantity=10.0))
    store.record_event("sma-2", "submit", S.SUBMITTED, 1_100, "engine")
    store.record_event("sma-2", "accept", S.ACCEPTED, 1_200, "venue", "ack-sma-2")
    store.record_fill(make_fill("sma-2", 4.0, 101.0, fill_id="x-9"), "x-9")
    store.record_event("sma-2", "partial_fill", S.PARTIALLY_FILLED, 2_000, "venue", "pf-sma-2")

    state = store.load_state()
    oms = OrderManager(strict=False, start_seq=max(state.last_seq.values(), default=0))
    for record in state.open_orders:
        oms.restore(
            record.to_order(),
            state.fill_ids_by_order.get(record.client_order_id, ()),
            venue_order_id=record.venue_order_id,
        )
    [order] = oms.working_orders()
    assert (order.client_order_id, order.status, order.filled_quantity) == (
        "sma-2", S.PARTIALLY_FILLED, 4.0,
    )  # fmt: skip
    assert order.avg_fill_price == 101.0
    # the venue redelivers the fill the store already booked: not booked again
    assert oms.apply_fill(order, make_fill("sma-2", 4.0, 101.0, fill_id="x-9")) is False
    assert order.filled_quantity == 4.0
    # the next id continues after the finished order, not after the open one
    new = oms.create(order.intent, "sma", 3_000)
    assert new.client_order_id == "sma-6"
