"""Translation between quantrail's order model and Alpaca's, done once, at the adapter's edge.

Everything Alpaca-shaped (alpaca-py request and response models, its enums, its HTTP errors)
stops here: the rest of the adapter and everything above it sees ``Order``, ``Fill``,
``VenueOrderReport``, ``VenueFillReport`` and the ``VenueError`` tree.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import warnings
from typing import Any

from quantrail.core.enums import OrderStatus, OrderType, Side, TimeInForce
from quantrail.core.errors import RateLimited, VenueError, VenueRejected, VenueUnavailable
from quantrail.core.order_state import OrderEventKind
from quantrail.core.orders import Order
from quantrail.oms.reports import VenueFillReport, VenueOrderReport

with warnings.catch_warnings():
    # alpaca-py's package import pulls in websockets.legacy (deprecated upstream) for its own
    # stream classes, which this adapter does not use.
    warnings.filterwarnings("ignore", "websockets.legacy", DeprecationWarning)
    from alpaca.common.exceptions import APIError
    from alpaca.trading import enums as ae
    from alpaca.trading.models import Order as AlpacaOrder
    from alpaca.trading.models import TradeUpdate
    from alpaca.trading.requests import (
        LimitOrderRequest,
        MarketOrderRequest,
        OrderRequest,
        StopLimitOrderRequest,
        StopOrderRequest,
    )

__all__ = [
    "STREAM_EVENTS",
    "AlpacaOrder",
    "TradeUpdate",
    "event_name",
    "fill_report",
    "order_report",
    "order_request",
    "to_ns",
    "venue_error",
]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_TIF = {
    TimeInForce.DAY: ae.TimeInForce.DAY,
    TimeInForce.GTC: ae.TimeInForce.GTC,
    TimeInForce.IOC: ae.TimeInForce.IOC,
    TimeInForce.FOK: ae.TimeInForce.FOK,
}

# Alpaca order status -> the status a VenueOrderReport carries. Alpaca has more states than the
# core table; the extra ones are "the venue holds the order and it may still trade" (ACCEPTED)
# or, for done_for_day, "it will trade again tomorrow" (still ACCEPTED, not terminal).
_STATUS = {
    "new": OrderStatus.ACCEPTED,
    "accepted": OrderStatus.ACCEPTED,
    "pending_new": OrderStatus.ACCEPTED,
    "accepted_for_bidding": OrderStatus.ACCEPTED,
    "pending_review": OrderStatus.ACCEPTED,
    "stopped": OrderStatus.ACCEPTED,
    "suspended": OrderStatus.ACCEPTED,
    "calculated": OrderStatus.ACCEPTED,
    "held": OrderStatus.ACCEPTED,
    "done_for_day": OrderStatus.ACCEPTED,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "pending_cancel": OrderStatus.PENDING_CANCEL,
    "pending_replace": OrderStatus.PENDING_REPLACE,
    "canceled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
    # A replaced order lives on as its replacement; callers follow ``replaced_by`` first and
    # only see this when the chain cannot be followed.
    "replaced": OrderStatus.CANCELED,
}

# Trade-update events that are plain status changes. Fills are handled apart (they carry an
# execution), "replaced" needs the new terms, and pending_* / restated / done_for_day change
# nothing the engine has not already recorded when it sent the request.
STREAM_EVENTS: dict[str, OrderEventKind] = {
    "new": OrderEventKind.ACCEPT,
    "accepted": OrderEventKind.ACCEPT,
    "pending_new": OrderEventKind.ACCEPT,
    "canceled": OrderEventKind.CANCEL,
    "expired": OrderEventKind.EXPIRE,
    "rejected": OrderEventKind.REJECT,
}


def to_ns(when: dt.datetime | None) -> int:
    """UTC nanoseconds of an aware datetime (0 for None), without float rounding."""
    if when is None:
        return 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # Alpaca stamps UTC; a naive one means UTC
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _float(value: Any, default: float = math.nan) -> float:
    if value is None or value == "":
        return default
    return float(value)


def _text(value: Any) -> str:
    """An enum's value or the string itself (alpaca-py types some fields ``Enum | str``)."""
    return str(getattr(value, "value", value))


def event_name(update: TradeUpdate) -> str:
    return _text(update.event)


def order_request(order: Order) -> OrderRequest:
    """Our order as an Alpaca simple order; the client order id is ours, so a lost answer can
    be looked up by it (and Alpaca refuses a second order with the same id)."""
    common: dict[str, Any] = {
        "symbol": order.symbol,
        "qty": order.quantity,
        "side": ae.OrderSide.BUY if order.side is Side.BUY else ae.OrderSide.SELL,
        "time_in_force": _TIF[order.time_in_force],
        "client_order_id": order.client_order_id,
    }
    if order.order_type is OrderType.LIMIT:
        return LimitOrderRequest(limit_price=order.limit_price, **common)
    if order.order_type is OrderType.STOP:
        return StopOrderRequest(stop_price=order.stop_price, **common)
    if order.order_type is OrderType.STOP_LIMIT:
        return StopLimitOrderRequest(
            limit_price=order.limit_price, stop_price=order.stop_price, **common
        )
    return MarketOrderRequest(**common)


def order_report(order: AlpacaOrder, client_order_id: str | None = None) -> VenueOrderReport:
    """An Alpaca order as the OMS reads it.

    ``client_order_id`` overrides the venue's: a replacing order carries a new id at Alpaca but
    is the same logical order locally, so callers pass the id of the chain's first order.
    """
    filled = _float(order.filled_qty, 0.0)
    return VenueOrderReport(
        client_order_id=client_order_id or order.client_order_id,
        venue_order_id=str(order.id),
        symbol=order.symbol or "",
        side=Side.SELL if _text(order.side) == "sell" else Side.BUY,
        quantity=_float(order.qty, 0.0),
        filled_quantity=filled,
        avg_price=_float(order.filled_avg_price) if filled > 0 else math.nan,
        status=_STATUS.get(_text(order.status), OrderStatus.ACCEPTED),
        ts=to_ns(order.updated_at),
        limit_price=None if order.limit_price is None else _float(order.limit_price),
        stop_price=None if order.stop_price is None else _float(order.stop_price),
    )


def fill_report(
    update: TradeUpdate, client_order_id: str, quantity: float | None = None
) -> VenueFillReport:
    """A fill or partial_fill update as one execution, keyed by Alpaca's execution id.

    Alpaca charges no per-trade commission on equities and the update carries none, so it is
    0; regulatory fees show up in the account's cash, which reconciliation compares.
    """
    order = update.order
    return VenueFillReport(
        execution_id=str(update.execution_id),
        client_order_id=client_order_id,
        symbol=order.symbol or "",
        side=Side.SELL if _text(order.side) == "sell" else Side.BUY,
        quantity=_float(update.qty) if quantity is None else quantity,
        price=_float(update.price),
        commission=0.0,
        ts=to_ns(update.timestamp),
    )


def _retry_after(error: APIError) -> float | None:
    response = error.response
    value = None if response is None else response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:  # the HTTP-date form; only its distance from the response's own Date matters
        when = email.utils.parsedate_to_datetime(value)
        sent = email.utils.parsedate_to_datetime(response.headers.get("Date", value))
    except (TypeError, ValueError):
        return None
    return max((when - sent).total_seconds(), 0.0)


def _message(error: APIError) -> str:
    try:
        return str(error.message)
    except (ValueError, KeyError, TypeError):
        return str(error)[:200]  # not Alpaca's JSON (a proxy's page): keep the log short


def venue_error(exc: Exception, what: str) -> VenueError:
    """Map an alpaca-py or transport error to the error tree (raise it ``from exc``).

    429 is ``RateLimited`` (refused unprocessed: even a submit may be resent); 5xx, timeouts and
    lost connections are ``VenueUnavailable`` (the request may or may not have been acted on);
    other 4xx are ``VenueRejected``. Messages hold the venue's text, never the credentials.
    """
    if isinstance(exc, APIError):
        status = exc.status_code
        text = f"{what}: HTTP {status} {_message(exc)}"
        if status == 429:
            return RateLimited(text, retry_after=_retry_after(exc))
        if status is None or status >= 500:
            return VenueUnavailable(text)
        return VenueRejected(text)
    # requests' ConnectionError and Timeout derive from OSError, as do socket errors.
    return VenueUnavailable(f"{what}: {type(exc).__name__}: {exc}")
