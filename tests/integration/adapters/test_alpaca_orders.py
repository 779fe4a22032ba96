"""Order round trips through the adapter: replace, cancel, races with fills, 5xx on submit."""

from __future__ import annotations

import logging

import pytest

from quantrail.core.enums import OrderStatus, OrderType, Side
from quantrail.core.orders import OrderIntent
from quantrail.emulator import TradingFaultPlan
from quantrail.oms import CallOutcome, ResolutionKind
from tests.integration.emulator_trading.helpers import client_for, start

from .checks import assert_matches_venue
from .harness import LiveExecutionHarness


def limit_buy(qty: float, price: float) -> OrderIntent:
    return OrderIntent("AAPL", Side.BUY, qty, OrderType.LIMIT, limit_price=price)


def test_replace_partial_fill_and_cancel_follow_the_venue() -> None:
    with start() as emu, LiveExecutionHarness(emu).running() as h:
        order = h.submit(limit_buy(150, 50.0))
        h.pump_until(lambda: order.status is OrderStatus.ACCEPTED)
        h.modify(order, quantity=250, limit_price=101.0)  # marketable at bar 0's open (100)
        h.pump_until(lambda: order.status is OrderStatus.ACCEPTED)
        assert (order.quantity, order.limit_price) == (250, 101.0)
        emu.advance_bars(1)
        h.pump_until(lambda: order.filled_quantity == 100)
        h.cancel(order)
        h.pump_until(lambda: order.status is OrderStatus.CANCELED)
        assert h.portfolio.position("AAPL") == 100
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)


def test_a_cancel_that_lost_the_race_reports_the_fill() -> None:
    with start() as emu, LiveExecutionHarness(emu).running() as h:
        order = h.submit(OrderIntent("AAPL", Side.BUY, 10))
        emu.advance_bars(1)  # filled at the venue; the engine has not heard yet
        h.cancel(order)  # 422 not cancelable: the adapter asks what happened
        assert h.adapter.calls[-2].outcome is CallOutcome.REJECTED
        h.pump_until(lambda: order.status is OrderStatus.FILLED)
        h.settle()
        assert h.portfolio.position("AAPL") == 10
        assert h.duplicates == 0
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)


def test_a_fractional_replace_is_refused_locally() -> None:
    with start() as emu, LiveExecutionHarness(emu).running() as h:
        order = h.submit(limit_buy(10, 50.0))
        h.pump_until(lambda: order.status is OrderStatus.ACCEPTED)
        requests = emu.stats.requests
        h.modify(order, quantity=10.5)
        h.pump_until(lambda: order.status is OrderStatus.ACCEPTED)  # refused: back to working
        assert emu.stats.requests == requests  # nothing was sent
        assert "whole-share" in h.updates[-1].reason


def test_a_5xx_on_submit_is_ambiguous_and_resolved_not_placed() -> None:
    # The emulator's 500 does nothing; for all the client knows it might have. Query, not resend.
    with (
        start(TradingFaultPlan(http_5xx_on=(1,))) as emu,
        LiveExecutionHarness(emu, consistency_window=0.2).running() as h,
    ):
        order = h.submit(OrderIntent("AAPL", Side.BUY, 10))
        assert h.adapter.calls[-1].outcome is CallOutcome.AMBIGUOUS
        h.pump_until(lambda: bool(h.oms.ambiguous_orders()))
        assert h.resolve()[0].kind is ResolutionKind.PENDING  # not found, inside the window
        h.settle(0.25)
        assert h.resolve()[0].kind is ResolutionKind.NOT_PLACED
        assert order.status is OrderStatus.REJECTED
        assert emu.stats.orders_submitted == 0
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=0)


def test_no_log_line_carries_the_credentials(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    plan = TradingFaultPlan(http_5xx_on=(1,), drop_updates_after=1)
    with start(plan) as emu, LiveExecutionHarness(emu).running() as h:
        h.submit(OrderIntent("AAPL", Side.BUY, 10))
        h.settle(0.3)
    text = caplog.text + repr(h.adapter.calls)
    assert "alpaca" in text  # something was logged...
    assert "test-secret" not in text
    assert "test-key" not in text


def test_a_fill_that_beats_a_replace_in_flight_wins() -> None:
    # With 30 s of latency the replace sent at bar 1's open lands at bar 2; the limit fills first
    # and the venue rejects the replacing order, which changes nothing locally.
    with start(latency="30s") as emu, LiveExecutionHarness(emu).running() as h:
        order = h.submit(limit_buy(10, 100.8))
        emu.advance_bars(1)
        h.pump_until(lambda: order.status is OrderStatus.ACCEPTED)
        h.modify(order, limit_price=90.0)
        emu.advance_bars(1)
        h.pump_until(lambda: order.status is OrderStatus.FILLED)
        h.settle()
        assert emu.stats.events["rejected"] == 1
        assert order.limit_price == 100.8  # the replace never applied
        assert_matches_venue(h, emu, client_for(emu), orders_at_venue=1)
