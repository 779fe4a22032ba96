"""Where inside a bar an order would have traded, resolved against the trader.

Each function returns ``(reference_price, rule, taker)`` or None when the bar does not fill the
order. Conventions, all conservative:

- A limit fills only when the bar trades *through* it (low < buy limit, high > sell limit);
  a touch is enough only with ``on_touch``. A bar that opens through the limit fills at the
  open, the better price the book really offered.
- A stop that the bar opens beyond (a gap) fills at the open, not at the stop price.
- A stop-limit triggers like a stop; once triggered it is a limit. When it triggers at a price
  its limit does not reach, it rests and may fill from the next bar on.
- Within one bar, stops are matched before limits, so when a protective stop and a profit target
  could both have traded, the stop is assumed to have come first.
"""

from __future__ import annotations

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderType, Side
from quantrail.core.errors import InvariantViolation
from quantrail.core.orders import Order

__all__ = ["match_order", "priority"]

Match = tuple[float, str, bool]


def priority(order: Order) -> tuple[int, int]:
    """Sort key: stops (adverse exits) first, then markets, then limits; then by age."""
    rank = (
        0
        if order.order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
        else (1 if order.order_type is OrderType.MARKET else 2)
    )
    return rank, order.seq


def _limit(order: Order, bar: Bar, limit: float, on_touch: bool) -> Match | None:
    if order.side is Side.BUY:
        if bar.open <= limit:
            return bar.open, "limit_open_through", True
        if bar.low < limit or (on_touch and bar.low == limit):
            return limit, "limit_traded_through", False
        return None
    if bar.open >= limit:
        return bar.open, "limit_open_through", True
    if bar.high > limit or (on_touch and bar.high == limit):
        return limit, "limit_traded_through", False
    return None


def _stop_trigger(order: Order, bar: Bar, stop: float) -> tuple[float, str] | None:
    if order.side is Side.BUY:
        if bar.open >= stop:
            return bar.open, "stop_gap_open"
        if bar.high >= stop:
            return stop, "stop_triggered"
        return None
    if bar.open <= stop:
        return bar.open, "stop_gap_open"
    if bar.low <= stop:
        return stop, "stop_triggered"
    return None


def _required(price: float | None, order: Order, name: str) -> float:
    # The risk engine denies such orders before they reach a venue; reaching here is a bug.
    if price is None:
        raise InvariantViolation(f"order {order.client_order_id} has no {name} price")
    return price


def match_order(order: Order, bar: Bar, fill_at_close: bool, on_touch: bool) -> Match | None:
    """Return how ``bar`` fills ``order``, or None. May mark a stop-limit as triggered."""
    kind = order.order_type
    if kind is OrderType.MARKET:
        if fill_at_close:
            return bar.close, "next_close", True
        return bar.open, "next_open", True
    if kind is OrderType.LIMIT:
        return _limit(order, bar, _required(order.limit_price, order, "limit"), on_touch)
    stop = _required(order.stop_price, order, "stop")
    if kind is OrderType.STOP:
        trigger = _stop_trigger(order, bar, stop)
        return None if trigger is None else (trigger[0], trigger[1], True)
    # Stop-limit.
    limit = _required(order.limit_price, order, "limit")
    if order.triggered:
        return _limit(order, bar, limit, on_touch)
    trigger = _stop_trigger(order, bar, stop)
    if trigger is None:
        return None
    order.triggered = True
    price, _ = trigger
    marketable = price <= limit if order.side is Side.BUY else price >= limit
    if marketable:
        return price, "stop_limit_triggered", True
    return None
