"""What a venue says about an order or an execution, in the venue-independent shape the OMS reads.

Adapters translate their venue's payloads into these once, at the boundary; everything above
(ambiguous-submit resolution, reconciliation) compares these against the local book.
"""

from __future__ import annotations

from dataclasses import dataclass

from quantrail.core.enums import OrderStatus, Side
from quantrail.core.events import Fill
from quantrail.core.order_state import OrderEventKind

__all__ = ["VENUE_STATUS_EVENTS", "VenueFillReport", "VenueOrderReport", "fill_from_report"]


@dataclass(frozen=True, slots=True)
class VenueOrderReport:
    """One order as the venue knows it.

    ``quantity`` is the total ordered, ``filled_quantity`` the part executed so far and
    ``avg_price`` their average price (NaN when nothing filled). ``limit_price`` and
    ``stop_price`` are the venue's current terms, present when the venue reports them, so a
    replace whose outcome was lost can be adopted from the venue.
    """

    client_order_id: str
    venue_order_id: str
    symbol: str
    side: Side
    quantity: float
    filled_quantity: float
    avg_price: float
    status: OrderStatus
    ts: int
    limit_price: float | None = None
    stop_price: float | None = None

    @property
    def remaining(self) -> float:
        return self.quantity - self.filled_quantity


@dataclass(frozen=True, slots=True)
class VenueFillReport:
    """One execution as the venue reports it.

    ``execution_id`` is the venue's trade id. It becomes the ``fill_id`` of the booked
    :class:`~quantrail.core.events.Fill`, which is what makes a fill reported twice (by the
    stream and again by a reconciliation query) book once.
    """

    execution_id: str
    client_order_id: str
    symbol: str
    side: Side
    quantity: float
    price: float
    commission: float
    ts: int
    liquidity: str = "unknown"

    @property
    def signed_quantity(self) -> float:
        return self.quantity * int(self.side)


def fill_from_report(report: VenueFillReport) -> Fill:
    """Turn a venue execution into the engine's ``Fill``, keyed by the venue's execution id.

    A venue fill has no modelled costs: the price already is what was paid, so spread and
    slippage are zero and the reference price is the execution price.
    """
    return Fill(
        fill_id=report.execution_id,
        client_order_id=report.client_order_id,
        symbol=report.symbol,
        side=report.side,
        quantity=report.quantity,
        price=report.price,
        reference_price=report.price,
        commission=report.commission,
        spread_cost=0.0,
        slippage_cost=0.0,
        ts=report.ts,
        liquidity=report.liquidity,
        price_rule="venue",
    )


_E = OrderEventKind
_S = OrderStatus

# The status events that take a submitted order to the status a venue reports. Fill statuses
# map to an acknowledgement only: the quantities arrive as fills (by execution id), so booking
# them from a status report as well would count them twice.
VENUE_STATUS_EVENTS: dict[OrderStatus, tuple[OrderEventKind, ...]] = {
    _S.NEW: (),
    _S.SUBMITTED: (),
    _S.ACCEPTED: (_E.ACCEPT,),
    _S.PARTIALLY_FILLED: (_E.ACCEPT,),
    _S.FILLED: (_E.ACCEPT,),
    _S.PENDING_CANCEL: (_E.ACCEPT, _E.CANCEL_REQUEST),
    _S.PENDING_REPLACE: (_E.ACCEPT, _E.REPLACE_REQUEST),
    _S.CANCELED: (_E.CANCEL,),
    _S.EXPIRED: (_E.EXPIRE,),
    _S.REJECTED: (_E.REJECT,),
    _S.DENIED: (_E.REJECT,),
}
