"""Fault sequences against the emulator with the real alpaca-py client inside the adapter.

Each test drives the venue through one failure from docs/emulator.md ("Trading faults") and
ends with ``assert_matches_venue``: positions, orders and fills equal the venue's, and the
venue never saw a client order id twice. The market: bar k opens at 100 + k, volume 1000, and
the fill model takes at most 100 shares a bar, so a 250-share order fills 100, 100, 50.
"""

from __future__ import annotations

import time

import pytest

from quantrail.core.enums import OrderStatus, OrderType, Side
from quantrail.core.orders import OrderIntent
from quantrail.emulator import TradingFaultPlan
from quantrail.oms import CallOutcome, OnUnavailable, ResolutionKind, RetryRule
from quantrail.store.state import StateStore
from tests.integration.emulator_trading.helpers import client_for, start

from .checks import assert_matches_venue, venue_fill_ids
from .harness import LiveExecutionHarness

BUY_10 = OrderIntent("AAPL", Side.BUY, 10)


def limit_buy(qty: float = 10, price: float = 50.0, symbol: str = "AAPL") -> OrderIntent:
    return OrderIntent(symbol, Side.BUY, qty, OrderType.LIMIT, limit_price=price)


@pytest.mark.parametrize("answer_delay", [None, 1.0], ids=["connection-cut", "late-answer"])
def test_a_submit_timeout_that_succeeded_is_resolved_by_query(answer_delay: float | None) -> None:
    plan = TradingFaultPlan(submit_timeout_on=(1,), submit_timeout_delay=answer_delay)
    with start(plan) as emu, LiveExecutionHarness(emu, request_timeout=0.3).running() as h:
        order = h.submit(BUY_10)
        submit = h.adapter.calls[-1]
        assert (submit.name, submit.outcome, submit.attempts) == (
            "submit",
            CallOutcome.AMBIGUOUS,
            1,
        )
        h.pump_until(lambda: h.oms.ambiguous_call(order.client_order_id) is not None)
        [resolution] = h.resolve()
        assert resolution.kind is ResolutionKind.FOUND
        emu.advance_bars(1)
        h.pump_until(lambda: order.status is OrderStatus.FILLED)
        h.settle()
        assert (emu.stats.submit_timeouts, emu.stats.orders_submitted) == (1, 1)
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)


def test_b_a_fill_before_its_acknowledgement_is_applied_once(store: StateStore) -> None:
    plan = TradingFaultPlan(reorder_acks=True, reorder_hold_seconds=0.3)
    with start(plan) as emu, LiveExecutionHarness(emu, store=store).running() as h:
        order = h.submit(BUY_10)
        emu.advance_bars(1)
        h.pump_until(lambda: order.status is OrderStatus.FILLED)
        h.settle(0.5)  # the held "new" arrives now and changes nothing
        journal = [(e.kind, e.status) for e in store.load_events(order.client_order_id)]
        # Straight from SUBMITTED to FILLED; the late acknowledgement was ignored.
        assert journal == [("submit", OrderStatus.SUBMITTED), ("fill", OrderStatus.FILLED)]
        assert h.updates == []
        assert emu.stats.acks_reordered == 1
        assert h.portfolio.position("AAPL") == 10
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)


def test_c_a_duplicated_fill_is_applied_once(store: StateStore) -> None:
    with (
        start(TradingFaultPlan(duplicate_fills_every=1)) as emu,
        LiveExecutionHarness(emu, store=store).running() as h,
    ):
        order = h.submit(OrderIntent("AAPL", Side.BUY, 150))  # a partial fill, then the rest
        emu.advance_bars(2)
        h.pump_until(lambda: h.duplicates == 2)
        assert emu.stats.fill_duplicates_sent == 2
        assert h.adapter.stats.duplicate_fills == 2  # handed on; the store said "already booked"
        assert order.status is OrderStatus.FILLED
        assert order.filled_quantity == 150
        assert len(h.fills) == len(store.load_fills()) == 2
        assert h.portfolio.position("AAPL") == 150
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)


def test_d_a_stream_dropped_mid_fill_is_caught_up_by_polling(store: StateStore) -> None:
    # The client waits a second before reconnecting, so the two bars replayed right after the
    # drop publish their fills to nobody: only the poll can learn about them.
    slow = RetryRule(OnUnavailable.RETRY, base_delay=1.0, max_delay=1.0, jitter=0.0)
    with (
        start(TradingFaultPlan(drop_updates_after=2)) as emu,
        LiveExecutionHarness(emu, store=store, reconnect=slow).running() as h,
    ):
        order = h.submit(OrderIntent("AAPL", Side.BUY, 250))
        emu.advance_bars(1)
        h.pump_until(lambda: order.filled_quantity == 100)  # new, partial_fill: then the cut
        deadline = time.monotonic() + 2
        while emu.stats.stream_drops < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        emu.advance_bars(2)  # 100 more, then the last 50, while nobody listens
        h.pump_until(lambda: order.status is OrderStatus.FILLED)
        polled = [f for f in h.fills if f.fill_id.startswith("poll-")]
        assert sum(f.quantity for f in polled) == 150  # the two fills nobody heard about
        emu.wait_for_listeners()  # the stream comes back as well
        h.settle()
        assert order.filled_quantity == 250
        assert h.portfolio.position("AAPL") == 250
        assert emu.stats.stream_drops == 1
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)


def test_d_a_stream_dropped_mid_fill_reconnects_before_the_next_fill() -> None:
    with (
        start(TradingFaultPlan(drop_updates_after=2)) as emu,
        LiveExecutionHarness(emu).running() as h,
    ):
        order = h.submit(OrderIntent("AAPL", Side.BUY, 250))
        emu.advance_bars(1)
        h.pump_until(lambda: order.filled_quantity == 100)
        h.pump_until(lambda: emu.stats.stream_connections == 2 and not h.adapter.catching_up)
        emu.advance_bars(2)
        h.pump_until(lambda: order.status is OrderStatus.FILLED)
        assert h.adapter.stats.polled_fills == 0  # the reconnected stream delivered them
        assert {f.fill_id for f in h.fills} == venue_fill_ids(emu)
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)


def test_e_a_rate_limited_cancel_is_retried_after_retry_after() -> None:
    with start() as emu, LiveExecutionHarness(emu).running() as h:
        order = h.submit(limit_buy())
        h.pump_until(lambda: order.status is OrderStatus.ACCEPTED)
        venue_id = h.adapter.venue_order_id(order.client_order_id)
        emu.set_faults(TradingFaultPlan(http_429_on=(emu.stats.requests + 1,), retry_after=0.5))
        h.cancel(order)
        cancel = h.adapter.calls[-1]
        assert (cancel.name, cancel.outcome, cancel.attempts) == ("cancel", CallOutcome.DONE, 2)
        assert cancel.delays[0] >= 0.5
        assert h.sleeps == list(cancel.delays)
        statuses = [r.status for r in emu.market_stats.requests_to(f"/v2/orders/{venue_id}")]
        assert statuses == [429, 204]
        h.pump_until(lambda: order.status is OrderStatus.CANCELED)
        assert emu.stats.responses_429 == 1
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)


def test_f_rejections_end_rejected_locally_with_the_reason(store: StateStore) -> None:
    plan = TradingFaultPlan(reject_symbols=frozenset({"MSFT"}))
    with start(plan) as emu, LiveExecutionHarness(emu, store=store).running() as h:
        on_stream = h.submit(OrderIntent("MSFT", Side.BUY, 10))  # accepted, then rejected
        refused = h.submit(limit_buy(qty=10_000, price=100.0))  # 1e6 > cash: HTTP 403
        h.pump_until(lambda: on_stream.status is OrderStatus.REJECTED)
        h.pump_until(lambda: refused.status is OrderStatus.REJECTED)
        reasons = {u.client_order_id: u.reason for u in h.updates}
        assert reasons[on_stream.client_order_id] == "rejected by the venue"
        assert "insufficient buying power" in reasons[refused.client_order_id]
        assert "403" in reasons[refused.client_order_id]
        assert h.adapter.calls[-1].outcome is CallOutcome.REJECTED  # not retried
        assert (emu.stats.orders_rejected, emu.stats.orders_refused) == (1, 1)
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)
