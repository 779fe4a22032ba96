"""The check every fault test ends with: the local books equal the venue's.

The venue is asked through alpaca-py's REST client (orders, positions) and, for executions,
which Alpaca's trading API does not list in the emulator, through the emulator's own book.
"""

from __future__ import annotations

import math
from typing import Any

from quantrail.core.orders import Order
from quantrail.emulator import TradingHandle
from quantrail.oms.reports import VenueOrderReport
from tests.integration.emulator_trading.helpers import GetOrdersRequest, QueryOrderStatus
from tests.integration.emulator_trading.helpers import TradingClient as Client

from .harness import LiveExecutionHarness

__all__ = ["assert_matches_venue", "venue_fill_ids"]


def _models(answer: list[Any] | Any) -> list[Any]:
    assert isinstance(answer, list)  # alpaca-py's models, not raw data
    return answer


def venue_fill_ids(emu: TradingHandle) -> set[str]:
    return {f.execution_id for f in list(emu.venue.book.fills)}


def assert_matches_venue(
    h: LiveExecutionHarness, emu: TradingHandle, client: Client, *, orders_at_venue: int
) -> None:
    """Positions, orders and fills of ``h`` equal the venue's; no client order id was reused."""
    venue_positions = {p.symbol: float(p.qty) for p in _models(client.get_all_positions())}
    local_positions = {s: q for s, q in h.portfolio.positions().items() if abs(q) > 1e-9}
    assert local_positions == venue_positions
    listed = _models(client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500)))
    assert len([o for o in listed if o.replaces is None]) == orders_at_venue
    executions = list(emu.venue.book.fills)
    for order in h.oms.orders():
        venue = h.adapter.lookup(order.client_order_id)
        if venue is None:  # refused at submit: the venue never stored it
            assert order.status.value == "rejected", order
            assert order.filled_quantity == 0
            continue
        _same_order(order, venue)
        mine = [f for f in h.fills if f.client_order_id == order.client_order_id]
        theirs = [e for e in executions if h.adapter.tracker.venue_ids().get(e.order_id)
                  == order.client_order_id]  # fmt: skip
        assert math.isclose(sum(f.quantity for f in mine), sum(e.qty for e in theirs))
        assert math.isclose(sum(f.notional for f in mine), sum(e.qty * e.price for e in theirs))
        real = {f.fill_id for f in mine if not f.fill_id.startswith("poll-")}
        assert real <= {e.execution_id for e in theirs}
        if h.adapter.stats.polled_fills == 0:
            assert real == {e.execution_id for e in theirs}
    stats = emu.stats
    assert stats.duplicate_client_order_ids == 0
    assert h.oms.anomalies == []
    assert h.oms.ambiguous_orders() == []
    if h.store is not None:
        _store_matches(h)


def _same_order(order: Order, venue: VenueOrderReport) -> None:
    assert order.status is venue.status, (order, venue)
    assert math.isclose(order.filled_quantity, venue.filled_quantity)
    assert math.isclose(order.quantity, venue.quantity)
    if venue.filled_quantity > 0:
        assert math.isclose(order.avg_fill_price, venue.avg_price)


def _store_matches(h: LiveExecutionHarness) -> None:
    assert h.store is not None
    stored = {f.venue_execution_id for f in h.store.load_fills()}
    assert stored == {f.fill_id for f in h.fills}
    positions = {s: p.quantity for s, p in h.store.load_positions().items() if p.quantity}
    assert positions == {s: q for s, q in h.portfolio.positions().items() if abs(q) > 1e-9}
    for order in h.oms.orders():
        record = h.store.load_order(order.client_order_id)
        assert record is not None
        assert record.status is order.status
        assert math.isclose(record.filled_quantity, order.filled_quantity)
