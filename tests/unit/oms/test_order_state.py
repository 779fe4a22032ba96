"""The order state machine: legal paths, late updates, idempotent fills."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantrail.core import Fill, InvariantViolation, OrderIntent, OrderStatus, Side
from quantrail.core.order_state import TRANSITIONS, OrderEventKind
from quantrail.oms import OrderManager


def _fill(fill_id: str, order_id: str, quantity: float, price: float = 10.0) -> Fill:
    return Fill(fill_id, order_id, "X", Side.BUY, quantity, price, price, 0.0, 0.0, 0.0, 1,
                "taker", "next_open")  # fmt: skip


def _submitted(oms: OrderManager, quantity: float = 10):
    order = oms.create(OrderIntent("X", Side.BUY, quantity), "S", 0)
    oms.transition(order, OrderEventKind.SUBMIT, 0)
    return order


def test_client_order_ids_are_deterministic_per_strategy_and_sequence():
    first, second = OrderManager(), OrderManager()
    ids_a = [first.create(OrderIntent("X", Side.BUY, 1), "S1", 0).client_order_id for _ in range(3)]
    ids_b = [
        second.create(OrderIntent("X", Side.BUY, 1), "S1", 0).client_order_id for _ in range(3)
    ]
    assert ids_a == ids_b == ["S1-1", "S1-2", "S1-3"]


def test_fill_before_ack_is_applied_and_the_late_ack_is_ignored():
    oms = OrderManager()
    order = _submitted(oms)
    assert oms.apply_fill(order, _fill("F1", order.client_order_id, 10))
    assert order.status is OrderStatus.FILLED
    assert oms.transition(order, OrderEventKind.ACCEPT, 2) is None
    assert order.status is OrderStatus.FILLED


def test_duplicate_fill_is_booked_once():
    oms = OrderManager()
    order = _submitted(oms)
    fill = _fill("F1", order.client_order_id, 4)
    assert oms.apply_fill(order, fill) is True
    assert oms.apply_fill(order, fill) is False
    assert order.filled_quantity == 4
    assert order.status is OrderStatus.PARTIALLY_FILLED


def test_overfill_is_refused_loudly():
    oms = OrderManager()
    order = _submitted(oms, quantity=5)
    with pytest.raises(InvariantViolation, match="exceeds the remaining 5"):
        oms.apply_fill(order, _fill("F1", order.client_order_id, 6))
    assert order.filled_quantity == 0


def test_illegal_event_for_a_live_order_raises():
    oms = OrderManager()
    order = oms.create(OrderIntent("X", Side.BUY, 1), "S", 0)
    with pytest.raises(InvariantViolation, match="not allowed in state new"):
        oms.transition(order, OrderEventKind.FILL, 0)


def test_working_set_tracks_live_orders_only():
    oms = OrderManager()
    order = _submitted(oms)
    assert oms.working_orders("X") == [order]
    oms.transition(order, OrderEventKind.CANCEL, 1)
    assert oms.working_orders() == []


def test_no_transition_leaves_a_terminal_state():
    for (status, _event), _target in TRANSITIONS.items():
        assert not status.is_terminal


@given(st.lists(st.sampled_from(list(OrderEventKind)), max_size=30))
def test_any_event_sequence_keeps_the_order_in_a_legal_state(events):
    oms = OrderManager()
    order = oms.create(OrderIntent("X", Side.BUY, 1), "S", 0)
    terminal_seen = None
    for ts, event in enumerate(events):
        try:
            oms.transition(order, event, ts)
        except InvariantViolation:
            assert not order.status.is_terminal
        if terminal_seen is not None:
            assert order.status is terminal_seen  # never moves after finishing
        elif order.status.is_terminal:
            terminal_seen = order.status
    assert order.status in set(OrderStatus)
