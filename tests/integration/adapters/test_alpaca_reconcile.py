"""Reconciliation: the venue's book built by the adapter, diffed against the local one.

Orders placed at the venue by someone else (here, a plain alpaca-py client on the same account)
show up as breaks with ADOPT actions; once the actions are applied the books agree.
"""

from __future__ import annotations

from quantrail.core.enums import OrderStatus, OrderType, Side
from quantrail.core.orders import OrderIntent
from quantrail.oms import ActionKind, BreakKind, fill_from_report, local_book, reconcile
from tests.integration.emulator_trading.helpers import client_for, request, start

from .harness import LiveExecutionHarness


def _local(h: LiveExecutionHarness, buying_power: float | None) -> object:
    p = h.portfolio
    return local_book(h.oms, p.positions(), p.cash, buying_power)


def test_external_orders_and_fills_are_reported_and_adopted() -> None:
    with start() as emu, LiveExecutionHarness(emu).running() as h:
        ours = h.submit(OrderIntent("AAPL", Side.BUY, 10))
        outsider = client_for(emu)
        outsider.submit_order(request("ext-fill", 5, symbol="MSFT"))
        outsider.submit_order(request("ext-open", 1, limit=50.0))
        emu.advance_bars(1)
        h.pump_until(
            lambda: ours.status is OrderStatus.FILLED and h.adapter.stats.external_fills > 0
        )

        venue = h.adapter.venue_book()
        result = reconcile(_local(h, venue.buying_power), venue)  # type: ignore[arg-type]
        kinds = {(b.kind, b.ref or b.symbol) for b in result.breaks}
        [external_fill] = [f for f in venue.fills if f.client_order_id == "ext-fill"]
        assert kinds == {
            (BreakKind.EXTERNAL_FILL, external_fill.execution_id),
            (BreakKind.EXTERNAL_ORDER, "ext-open"),
            (BreakKind.POSITION, "MSFT"),  # explained by the unknown fill: no lock
            (BreakKind.CASH, None),
        }
        assert [(a.kind, a.client_order_id) for a in result.actions] == [
            (ActionKind.ADOPT_ORDER, "ext-open"),
            (ActionKind.ADOPT_FILL, "ext-fill"),
        ]

        # What the engine does with them: adopt the orders, book the fill on its order.
        ts = h.clock.now_ns()
        for action in result.actions:
            if action.kind is ActionKind.ADOPT_ORDER:
                assert action.order is not None
                h.adapter.track(h.oms.adopt_order(action.order, "external", ts))
            elif action.kind is ActionKind.ADOPT_FILL:
                assert action.fill is not None
                report = h.adapter.lookup(action.fill.client_order_id)
                assert report is not None
                assert report.status is OrderStatus.FILLED
                order = h.oms.adopt_order(report, "external", ts)
                h.on_venue_fill(order, fill_from_report(action.fill))
        again = h.adapter.venue_book()
        assert reconcile(_local(h, again.buying_power), again).clean  # type: ignore[arg-type]
        assert h.portfolio.positions() == {"AAPL": 10, "MSFT": 5}


def test_our_own_replaced_order_is_not_taken_for_an_external_one() -> None:
    with start() as emu, LiveExecutionHarness(emu).running() as h:
        order = h.submit(OrderIntent("AAPL", Side.BUY, 10, OrderType.LIMIT, limit_price=50.0))
        h.pump_until(lambda: order.status is OrderStatus.ACCEPTED)
        h.modify(order, quantity=20, limit_price=60.0)
        h.pump_until(lambda: order.status is OrderStatus.ACCEPTED)
        assert (order.quantity, order.limit_price) == (20, 60.0)
        venue = h.adapter.venue_book()
        assert list(venue.orders) == [order.client_order_id]
        assert reconcile(_local(h, venue.buying_power), venue).clean  # type: ignore[arg-type]
