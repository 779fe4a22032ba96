"""Ambiguous submits and replaces are resolved by querying the venue, never by resending."""

from __future__ import annotations

import pytest

from quantrail.core import OrderStatus, Side
from quantrail.core.errors import VenueUnavailable
from quantrail.core.order_state import OrderEventKind as E
from quantrail.oms import (
    Operation,
    OrderManager,
    ResolutionKind,
    VenueOrderReport,
    apply_resolution,
    resolve_ambiguous,
)
from tests.unit.oms.helpers import accepted, report, submitted

WINDOW = 1_000


class Venue:
    """A lookup by client order id that records every query (and never accepts a submit)."""

    def __init__(self, *reports: VenueOrderReport, fail: bool = False) -> None:
        self.reports = {r.client_order_id: r for r in reports}
        self.fail = fail
        self.queries: list[str] = []

    def __call__(self, cid: str) -> VenueOrderReport | None:
        self.queries.append(cid)
        if self.fail:
            raise VenueUnavailable("timeout")
        return self.reports.get(cid)


def _ambiguous(oms: OrderManager, since: int = 100):
    order = submitted(oms)
    return order, oms.mark_ambiguous(order, since)


def test_found_adopts_the_venue_state_and_asks_by_client_order_id():
    oms = OrderManager(strict=False)
    order, call = _ambiguous(oms)
    venue = Venue(report(order.client_order_id, OrderStatus.PARTIALLY_FILLED, filled=4))
    resolution = resolve_ambiguous(order, venue, call, 150, WINDOW)
    assert venue.queries == [order.client_order_id]
    assert resolution.kind is ResolutionKind.FOUND
    assert resolution.missing_fill_quantity == 4  # fetched as fills, not invented from the report
    updates = apply_resolution(oms, order, resolution, 160)
    assert [u.status for u in updates] == [OrderStatus.ACCEPTED]
    assert order.filled_quantity == 0
    assert oms.ambiguous_orders() == []
    assert oms.venue_order_id(order.client_order_id) == f"V-{order.client_order_id}"


@pytest.mark.parametrize(
    ("venue_status", "local_status"),
    [(OrderStatus.CANCELED, OrderStatus.CANCELED), (OrderStatus.REJECTED, OrderStatus.REJECTED),
     (OrderStatus.EXPIRED, OrderStatus.EXPIRED), (OrderStatus.FILLED, OrderStatus.ACCEPTED),
     (OrderStatus.PENDING_CANCEL, OrderStatus.PENDING_CANCEL)],
)  # fmt: skip
def test_found_in_any_status_is_adopted(venue_status, local_status):
    oms = OrderManager(strict=False)
    order, call = _ambiguous(oms)
    resolution = resolve_ambiguous(order, Venue(report(order.client_order_id, venue_status)),
                                   call, 150, WINDOW)  # fmt: skip
    apply_resolution(oms, order, resolution, 160)
    assert order.status is local_status
    assert oms.anomalies == []


def test_not_found_inside_the_window_stays_ambiguous():
    oms = OrderManager(strict=False)
    order, call = _ambiguous(oms, since=100)
    resolution = resolve_ambiguous(order, Venue(), call, 100 + WINDOW - 1, WINDOW)
    assert resolution.kind is ResolutionKind.PENDING
    assert apply_resolution(oms, order, resolution, 1) == []
    assert oms.ambiguous_orders() == [order]
    assert order.status is OrderStatus.SUBMITTED


def test_not_found_after_the_window_is_not_placed_and_never_resubmitted():
    oms = OrderManager(strict=False)
    order, call = _ambiguous(oms, since=100)
    venue = Venue()
    resolution = resolve_ambiguous(order, venue, call, 100 + WINDOW, WINDOW)
    assert resolution.kind is ResolutionKind.NOT_PLACED
    (update,) = apply_resolution(oms, order, resolution, 2000)
    assert update.kind is E.REJECT
    assert order.status is OrderStatus.REJECTED
    assert "not at the venue" in update.reason
    assert venue.queries == [order.client_order_id]  # one query; nothing was sent
    assert len(oms.orders()) == 1


def test_a_failed_query_stays_ambiguous_even_after_the_window():
    oms = OrderManager(strict=False)
    order, call = _ambiguous(oms, since=0)
    resolution = resolve_ambiguous(order, Venue(fail=True), call, 10 * WINDOW, WINDOW)
    assert resolution.kind is ResolutionKind.PENDING
    assert "query failed" in resolution.detail


def test_an_id_collision_is_not_adopted():
    oms = OrderManager(strict=False)
    order, call = _ambiguous(oms)
    other = report(order.client_order_id, symbol="Y", side=Side.SELL)
    resolution = resolve_ambiguous(order, Venue(other), call, 150, WINDOW)
    assert resolution.kind is ResolutionKind.MISMATCH
    assert "sell Y" in resolution.detail
    assert apply_resolution(oms, order, resolution, 160) == []
    assert oms.ambiguous_orders() == [order]


def test_ambiguous_replace_adopts_the_venue_terms():
    oms = OrderManager(strict=False)
    order = accepted(oms, quantity=10, limit_price=9.0)
    oms.transition(order, E.REPLACE_REQUEST, 1)
    call = oms.mark_ambiguous(order, 1, Operation.REPLACE)
    venue = Venue(report(order.client_order_id, quantity=7, limit_price=9.5))
    updates = apply_resolution(oms, order, resolve_ambiguous(order, venue, call, 5, WINDOW), 6)
    assert updates[0].kind is E.REPLACE
    assert (order.quantity, order.limit_price, order.status) == (7, 9.5, OrderStatus.ACCEPTED)


def test_ambiguous_replace_not_applied_leaves_the_original_standing():
    oms = OrderManager(strict=False)
    order = accepted(oms, quantity=10, limit_price=9.0)
    oms.transition(order, E.REPLACE_REQUEST, 1)
    call = oms.mark_ambiguous(order, 1, Operation.REPLACE)
    venue = Venue(report(order.client_order_id, quantity=10, limit_price=9.0))
    updates = apply_resolution(oms, order, resolve_ambiguous(order, venue, call, 5, WINDOW), 6)
    assert updates[0].kind is E.REJECT
    assert order.status is OrderStatus.ACCEPTED


def test_ambiguous_replace_of_an_order_the_venue_lost_cancels_it():
    oms = OrderManager(strict=False)
    order = accepted(oms)
    oms.transition(order, E.REPLACE_REQUEST, 1)
    call = oms.mark_ambiguous(order, 1, Operation.REPLACE)
    resolution = resolve_ambiguous(order, Venue(), call, 1 + WINDOW, WINDOW)
    apply_resolution(oms, order, resolution, 2 + WINDOW)
    assert order.status is OrderStatus.CANCELED


def test_resolution_for_an_order_no_longer_ambiguous_changes_nothing():
    oms = OrderManager(strict=False)
    order, call = _ambiguous(oms)
    resolution = resolve_ambiguous(order, Venue(), call, 100 + WINDOW, WINDOW)
    oms.clear_ambiguous(order.client_order_id)
    assert apply_resolution(oms, order, resolution, 1) == []
    assert order.status is OrderStatus.SUBMITTED
