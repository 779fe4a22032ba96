"""Resolving a submit or replace whose answer was lost, by asking the venue, never by resending.

A submit that timed out may have reached the venue or not. Sending it again risks a double
position; dropping it risks an unmanaged live order. Because every order carries a
deterministic client order id, the venue can be asked for that id:

- found with the same symbol and side: adopt the venue's state (status and terms; the fills
  arrive as fills, by execution id);
- found with another symbol or side: the id collides with another order (e.g. a restart that
  reused ids); nothing is adopted and the engine must alert;
- not found and the venue's consistency window (how long after accepting an order its query
  endpoint may still not show it) has passed: the submit was not placed; the order is rejected
  locally and the strategy decides again;
- not found inside the window, or the query itself failed: still ambiguous, ask again later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from quantrail.core.errors import VenueUnavailable
from quantrail.core.events import OrderUpdate
from quantrail.core.order_state import OrderEventKind
from quantrail.core.orders import Order
from quantrail.oms.anomaly import AmbiguousCall, Anomaly, Operation
from quantrail.oms.manager import OrderManager
from quantrail.oms.reports import VenueOrderReport

__all__ = ["Resolution", "ResolutionKind", "apply_resolution", "resolve_ambiguous"]

_QTY_EPS = 1e-9

VenueLookup = Callable[[str], VenueOrderReport | None]


class ResolutionKind(StrEnum):
    FOUND = "found"
    NOT_PLACED = "not_placed"
    PENDING = "pending"
    MISMATCH = "mismatch"


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the venue said about an ambiguous call, and what to do about it.

    ``missing_fill_quantity`` is how much more the venue has filled than the local order: the
    engine fetches those fills (by execution id) rather than inventing them from the report.
    """

    kind: ResolutionKind
    client_order_id: str
    report: VenueOrderReport | None = None
    missing_fill_quantity: float = 0.0
    detail: str = ""


def resolve_ambiguous(
    order: Order,
    venue_lookup: VenueLookup,
    call: AmbiguousCall,
    now_ns: int,
    consistency_window_ns: int,
) -> Resolution:
    """Ask the venue about ``order`` by its client order id and classify the answer.

    Parameters
    ----------
    order : Order
        The local order whose submit or replace got no answer.
    venue_lookup : callable
        Queries the venue by client order id; None when the venue does not know it. A
        ``VenueUnavailable`` it raises leaves the call ambiguous (PENDING).
    call : AmbiguousCall
        From ``OrderManager.mark_ambiguous``; its ``since_ns`` starts the window.
    now_ns, consistency_window_ns : int
        "Not found" is only believed once ``now_ns - call.since_ns`` reaches the window.
    """
    cid = order.client_order_id
    try:
        report = venue_lookup(cid)
    except VenueUnavailable as exc:
        return Resolution(ResolutionKind.PENDING, cid, detail=f"query failed: {exc}")
    if report is None:
        waited = now_ns - call.since_ns
        if waited < consistency_window_ns:
            return Resolution(
                ResolutionKind.PENDING, cid,
                detail=f"not found after {waited} ns, inside the {consistency_window_ns} ns window",
            )  # fmt: skip
        what = "submit" if call.operation is Operation.SUBMIT else "order"
        return Resolution(
            ResolutionKind.NOT_PLACED, cid,
            detail=f"{what} not at the venue after the {consistency_window_ns} ns window",
        )  # fmt: skip
    if report.symbol != order.symbol or report.side is not order.side:
        return Resolution(
            ResolutionKind.MISMATCH, cid, report,
            detail=f"venue order {report.venue_order_id} is {report.side.label} "
            f"{report.symbol}, local is {order.side.label} {order.symbol}",
        )  # fmt: skip
    missing = max(report.filled_quantity - order.filled_quantity, 0.0)
    return Resolution(ResolutionKind.FOUND, cid, report, missing, "found at the venue")


def apply_resolution(
    oms: OrderManager, order: Order, resolution: Resolution, ts: int
) -> list[OrderUpdate | Anomaly]:
    """Apply a FOUND or NOT_PLACED resolution through the order manager; never resubmits.

    Returns the updates (for the audit trail and the strategy) and anomalies. PENDING and
    MISMATCH change nothing and leave the order ambiguous.
    """
    call = oms.ambiguous_call(order.client_order_id)
    if call is None or resolution.kind in (ResolutionKind.PENDING, ResolutionKind.MISMATCH):
        return []
    oms.clear_ambiguous(order.client_order_id)
    reason = f"ambiguous {call.operation}: {resolution.detail}"
    report = resolution.report
    if report is None:  # NOT_PLACED
        # A submit that never arrived is closest to a rejection; a replace whose order the
        # venue no longer knows at all leaves nothing working.
        kind = (
            OrderEventKind.REJECT if call.operation is Operation.SUBMIT else OrderEventKind.CANCEL
        )
        result = oms.apply_event(order, kind, ts, reason, "resolve")
        return [] if result is None else [result]
    oms.bind_venue_id(order.client_order_id, report.venue_order_id)
    results: list[OrderUpdate | Anomaly] = []
    if call.operation is Operation.REPLACE:
        changed = _adopt_terms(order, report)
        # Either way the order is back to plain working: replaced, or the replace refused.
        kind = OrderEventKind.REPLACE if changed else OrderEventKind.REJECT
        result = oms.apply_event(order, kind, ts, reason, "resolve")
        if result is not None:
            results.append(result)
    results.extend(oms.move_to(order, report.status, ts, reason, "resolve"))
    return results


def _adopt_terms(order: Order, report: VenueOrderReport) -> bool:
    """Copy the venue's quantity and prices onto the order; True if anything changed."""
    changed = abs(order.quantity - report.quantity) > _QTY_EPS
    order.quantity = report.quantity
    if report.limit_price is not None and report.limit_price != order.limit_price:
        order.limit_price = report.limit_price
        changed = True
    if report.stop_price is not None and report.stop_price != order.stop_price:
        order.stop_price = report.stop_price
        changed = True
    return changed
