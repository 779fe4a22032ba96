"""The order manager with a real venue: anomalies recorded not raised, out-of-order updates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantrail.core import InvariantViolation, OrderIntent, OrderStatus, OrderType, Side
from quantrail.core.order_state import OrderEventKind as E
from quantrail.oms import Anomaly, Operation, OrderManager, fill_from_report
from tests.unit.oms.helpers import accepted, fill, report, submitted, venue_fill


def test_impossible_transition_is_recorded_and_returned_not_applied():
    oms = OrderManager(strict=False)
    order = oms.create(OrderIntent("X", Side.BUY, 1), "S", 0)
    result = oms.apply_event(order, E.FILL, 7, source="venue")
    assert result == Anomaly(7, order.client_order_id, OrderStatus.NEW, E.FILL, "venue",
                             "event fill is not allowed in state new")  # fmt: skip
    assert oms.anomalies == [result]
    assert order.status is OrderStatus.NEW
    assert oms.transition(order, E.CANCEL_REQUEST, 8) is None  # same through transition
    assert len(oms.anomalies) == 2


def test_strict_mode_still_raises():
    oms = OrderManager()
    order = oms.create(OrderIntent("X", Side.BUY, 1), "S", 0)
    with pytest.raises(InvariantViolation, match="not allowed in state new"):
        oms.apply_event(order, E.FILL, 0)
    assert oms.anomalies == []


def test_fill_after_cancel_request_is_applied():
    oms = OrderManager(strict=False)
    order = accepted(oms)
    oms.transition(order, E.CANCEL_REQUEST, 1)
    assert oms.apply_fill(order, fill("F1", order, 4))
    assert order.status is OrderStatus.PENDING_CANCEL
    assert oms.apply_fill(order, fill("F2", order, 6))
    assert order.status is OrderStatus.FILLED
    assert oms.working_orders() == []


def test_cancel_confirmation_after_full_fill_is_ignored():
    oms = OrderManager(strict=False)
    order = accepted(oms)
    oms.transition(order, E.CANCEL_REQUEST, 1)
    oms.apply_fill(order, fill("F1", order, 10))
    assert oms.transition(order, E.CANCEL, 2) is None
    assert order.status is OrderStatus.FILLED
    assert oms.anomalies == []


@pytest.mark.parametrize("pending", [E.CANCEL_REQUEST, E.REPLACE_REQUEST])
def test_late_ack_while_a_request_is_in_flight_keeps_the_request_pending(pending):
    oms = OrderManager(strict=False)
    order = submitted(oms)
    oms.transition(order, pending, 1)
    status = order.status
    oms.apply_event(order, E.ACCEPT, 2)
    assert order.status is status
    assert oms.anomalies == []


def test_late_fill_after_a_confirmed_cancel_is_booked_without_moving_the_status():
    oms = OrderManager(strict=False)
    order = accepted(oms)
    oms.transition(order, E.CANCEL, 1)
    assert oms.apply_fill(order, fill("F1", order, 3))
    assert order.filled_quantity == 3
    assert order.status is OrderStatus.CANCELED


def test_venue_execution_id_is_the_fill_id_so_a_replayed_report_books_once():
    oms = OrderManager(strict=False)
    order = accepted(oms)
    execution = venue_fill("T-99", order.client_order_id, 4)
    booked = fill_from_report(execution)
    assert booked.fill_id == "T-99"
    assert booked.reference_price == booked.price
    assert booked.price_rule == "venue"
    assert oms.apply_fill(order, booked)
    assert not oms.apply_fill(order, fill_from_report(execution))  # again, from reconciliation
    assert order.filled_quantity == 4
    assert oms.has_fill("T-99")
    assert oms.seen_fill_ids() == frozenset({"T-99"})


def test_overfill_is_an_anomaly_when_not_strict():
    oms = OrderManager(strict=False)
    order = accepted(oms, quantity=5)
    assert oms.apply_fill(order, fill("F1", order, 6)) is False
    assert order.filled_quantity == 0
    assert "exceeds the remaining 5" in oms.anomalies[0].detail
    assert not oms.has_fill("F1")


def test_ambiguous_orders_are_tracked_and_cleared():
    oms = OrderManager(strict=False)
    order = submitted(oms)
    call = oms.mark_ambiguous(order, 42)
    assert call.operation is Operation.SUBMIT
    assert call.since_ns == 42
    assert oms.ambiguous_orders() == [order]
    assert order.status is OrderStatus.SUBMITTED
    assert oms.working_orders() == [order]
    oms.clear_ambiguous(order.client_order_id)
    assert oms.ambiguous_orders() == []
    assert oms.ambiguous_call(order.client_order_id) is None


def test_start_seq_keeps_ids_unique_across_a_restart():
    oms = OrderManager(start_seq=41)
    assert oms.create(OrderIntent("X", Side.BUY, 1), "S", 0).client_order_id == "S-42"
    assert oms.last_seq == 42


def test_adopting_an_external_order_keeps_its_id_and_no_sequence_number():
    oms = OrderManager(strict=False)
    order = oms.adopt_order(report("ext-1", quantity=3, limit_price=9.5), "external", 5)
    assert order.client_order_id == "ext-1"
    assert order.seq == 0
    assert order.order_type is OrderType.LIMIT
    assert order.limit_price == 9.5
    assert order.status is OrderStatus.ACCEPTED
    assert oms.working_orders() == [order]
    assert oms.venue_order_id("ext-1") == "V-ext-1"
    assert oms.create(OrderIntent("X", Side.BUY, 1), "S", 0).client_order_id == "S-1"
    with pytest.raises(InvariantViolation, match="already known"):
        oms.adopt_order(report("ext-1"), "external", 6)


@pytest.mark.parametrize(
    ("stop", "limit", "kind"),
    [(None, None, OrderType.MARKET), (9.0, None, OrderType.STOP),
     (9.0, 8.9, OrderType.STOP_LIMIT)],
)  # fmt: skip
def test_adopted_order_type_follows_its_prices(stop, limit, kind):
    terms = {k: v for k, v in (("stop_price", stop), ("limit_price", limit)) if v is not None}
    order = OrderManager(strict=False).adopt_order(report("e", **terms), "external", 0)
    assert order.order_type is kind


@pytest.mark.parametrize("status", list(OrderStatus))
def test_move_to_reaches_every_venue_status_from_submitted(status):
    oms = OrderManager(strict=False)
    order = submitted(oms)
    oms.move_to(order, status, 1, "", "test")
    expected = {OrderStatus.NEW: OrderStatus.SUBMITTED, OrderStatus.PARTIALLY_FILLED:
                OrderStatus.ACCEPTED, OrderStatus.FILLED: OrderStatus.ACCEPTED,
                OrderStatus.DENIED: OrderStatus.REJECTED}.get(status, status)  # fmt: skip
    assert order.status is expected
    oms.move_to(order, status, 2, "", "test")  # adopting the same status again: a no-op
    assert order.status is expected
    assert oms.anomalies == []


@given(st.lists(st.sampled_from(list(E)), max_size=30))
def test_not_strict_never_raises_and_every_refusal_is_an_anomaly(events):
    oms = OrderManager(strict=False)
    order = oms.create(OrderIntent("X", Side.BUY, 1), "S", 0)
    terminal = None
    for ts, event in enumerate(events):
        before = order.status
        result = oms.apply_event(order, event, ts)
        if isinstance(result, Anomaly):
            assert order.status is before
            assert result.status is before
        if terminal is not None:
            assert order.status is terminal
            assert result is None
        elif order.status.is_terminal:
            terminal = order.status
    assert all(not a.status.is_terminal for a in oms.anomalies)
