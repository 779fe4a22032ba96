"""Small builders shared by the OMS tests."""

from __future__ import annotations

import math

from quantrail.core import Fill, Order, OrderIntent, OrderStatus, OrderType, Side
from quantrail.core.order_state import OrderEventKind
from quantrail.oms import OrderManager, VenueFillReport, VenueOrderReport


def fill(fill_id: str, order: Order, quantity: float, price: float = 10.0, ts: int = 1) -> Fill:
    return Fill(fill_id, order.client_order_id, order.symbol, order.side, quantity, price, price,
                0.0, 0.0, 0.0, ts, "taker", "next_open")  # fmt: skip


def submitted(
    oms: OrderManager,
    quantity: float = 10,
    side: Side = Side.BUY,
    symbol: str = "X",
    strategy: str = "S",
    order_type: OrderType = OrderType.MARKET,
    **intent: object,
) -> Order:
    order = oms.create(
        OrderIntent(symbol, side, quantity, order_type, **intent),  # type: ignore[arg-type]
        strategy,
        0,
    )
    oms.transition(order, OrderEventKind.SUBMIT, 0)
    return order


def accepted(oms: OrderManager, quantity: float = 10, **kwargs: object) -> Order:
    order = submitted(oms, quantity, **kwargs)  # type: ignore[arg-type]
    oms.transition(order, OrderEventKind.ACCEPT, 0)
    return order


def report(
    cid: str,
    status: OrderStatus = OrderStatus.ACCEPTED,
    quantity: float = 10,
    filled: float = 0.0,
    symbol: str = "X",
    side: Side = Side.BUY,
    **terms: float,
) -> VenueOrderReport:
    avg = 10.0 if filled else math.nan
    return VenueOrderReport(cid, f"V-{cid}", symbol, side, quantity, filled, avg, status, 5,
                            **terms)  # fmt: skip


def venue_fill(
    execution_id: str,
    cid: str,
    quantity: float,
    price: float = 10.0,
    symbol: str = "X",
    side: Side = Side.BUY,
    commission: float = 0.0,
) -> VenueFillReport:
    return VenueFillReport(execution_id, cid, symbol, side, quantity, price, commission, 3)
