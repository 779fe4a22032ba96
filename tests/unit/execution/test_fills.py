"""Fill rules of the simulator, each checked against a hand-worked bar."""

from __future__ import annotations

import pytest

from quantrail.core import OrderEventKind, OrderStatus, OrderType, Side, TimeInForce
from tests.unit.execution.conftest import MINUTE, zero_cost


def test_market_order_fills_at_next_bar_open_not_the_decision_bar(make_venue):
    v = make_venue()
    v.clock.ts = 1 * MINUTE  # decided at the close of minute 0
    order = v.order(Side.BUY, 10)
    v.bar(1, o=100.0, h=101.0, low=99.0, c=100.5)
    assert [f.price for f in v.rec.fills] == [100.0]
    assert v.rec.fills[0].price_rule == "next_open"
    assert order.status is OrderStatus.FILLED


def test_next_close_mode_fills_at_the_next_bar_close(make_venue):
    v = make_venue(zero_cost(fill="next_close"))
    v.order(Side.SELL, 5)
    v.bar(1, o=100.0, h=101.0, low=99.0, c=100.5)
    assert v.rec.fills[0].price == 100.5


def test_buy_limit_touched_but_not_traded_through_does_not_fill(make_venue):
    v = make_venue()
    order = v.order(Side.BUY, 10, OrderType.LIMIT, limit=99.0)
    v.bar(1, o=100.0, h=101.0, low=99.0, c=100.0)
    assert v.rec.fills == []
    assert order.status is OrderStatus.ACCEPTED
    v.bar(2, o=100.0, h=100.0, low=98.9, c=99.5)
    assert [(f.price, f.liquidity) for f in v.rec.fills] == [(99.0, "maker")]


def test_limit_touch_fills_when_configured(make_venue):
    v = make_venue(zero_cost(limit_fill_on_touch=True))
    v.order(Side.BUY, 10, OrderType.LIMIT, limit=99.0)
    v.bar(1, o=100.0, h=101.0, low=99.0, c=100.0)
    assert [f.price for f in v.rec.fills] == [99.0]


def test_limit_gapped_through_fills_at_the_better_open(make_venue):
    v = make_venue()
    v.order(Side.SELL, 10, OrderType.LIMIT, limit=100.0)
    v.bar(1, o=103.0, h=104.0, low=102.0, c=103.5)
    assert v.rec.fills[0].price == 103.0
    assert v.rec.fills[0].price_rule == "limit_open_through"


def test_sell_stop_that_gaps_fills_at_the_open_not_the_stop(make_venue):
    v = make_venue()
    v.order(Side.SELL, 10, OrderType.STOP, stop=95.0)
    v.bar(1, o=90.0, h=91.0, low=89.0, c=90.5)
    assert v.rec.fills[0].price == 90.0
    assert v.rec.fills[0].price_rule == "stop_gap_open"


def test_buy_stop_triggered_inside_bar_fills_at_stop(make_venue):
    v = make_venue()
    v.order(Side.BUY, 10, OrderType.STOP, stop=101.0)
    v.bar(1, o=100.0, h=102.0, low=99.5, c=101.5)
    assert v.rec.fills[0].price == 101.0


def test_stop_limit_that_gaps_past_its_limit_rests_then_fills_as_limit(make_venue):
    v = make_venue()
    order = v.order(Side.BUY, 10, OrderType.STOP_LIMIT, stop=101.0, limit=102.0)
    v.bar(1, o=103.0, h=104.0, low=102.5, c=103.5)  # triggered at 103 > limit 102
    assert v.rec.fills == []
    assert order.triggered
    v.bar(2, o=103.0, h=103.0, low=101.5, c=102.5)  # trades through 102
    assert [f.price for f in v.rec.fills] == [102.0]


def test_stop_is_assumed_before_target_in_the_same_bar(make_venue):
    v = make_venue()
    stop = v.order(Side.SELL, 10, OrderType.STOP, stop=95.0, oco="exit")
    target = v.order(Side.SELL, 10, OrderType.LIMIT, limit=105.0, oco="exit")
    v.bar(1, o=100.0, h=106.0, low=94.0, c=100.0)  # both levels traded in one bar
    assert [f.client_order_id for f in v.rec.fills] == [stop.client_order_id]
    assert stop.status is OrderStatus.FILLED
    assert target.status is OrderStatus.CANCELED


def test_volume_cap_fills_part_and_leaves_the_rest_working(make_venue):
    v = make_venue(zero_cost(max_volume_share=0.1))
    order = v.order(Side.BUY, 250)
    v.bar(1, o=10.0, h=10.0, low=10.0, c=10.0, v=1000)
    assert order.filled_quantity == 100
    assert order.status is OrderStatus.PARTIALLY_FILLED
    v.bar(2, o=11.0, h=11.0, low=11.0, c=11.0, v=1000)
    v.bar(3, o=12.0, h=12.0, low=12.0, c=12.0, v=1000)
    assert [f.quantity for f in v.rec.fills] == [100, 100, 50]
    assert order.status is OrderStatus.FILLED
    assert order.avg_fill_price == pytest.approx((100 * 10 + 100 * 11 + 50 * 12) / 250)


def test_volume_cap_is_shared_by_orders_in_the_same_bar(make_venue):
    v = make_venue(zero_cost(max_volume_share=0.1))
    first = v.order(Side.BUY, 80)
    second = v.order(Side.BUY, 80)
    v.bar(1, o=10.0, h=10.0, low=10.0, c=10.0, v=1000)
    assert (first.filled_quantity, second.filled_quantity) == (80, 20)


def test_ioc_cancels_the_unfilled_rest(make_venue):
    v = make_venue(zero_cost(max_volume_share=0.1))
    order = v.order(Side.BUY, 250, tif=TimeInForce.IOC)
    v.bar(1, o=10.0, h=10.0, low=10.0, c=10.0, v=1000)
    assert order.filled_quantity == 100
    assert order.status is OrderStatus.CANCELED


def test_fok_that_cannot_fill_completely_fills_nothing(make_venue):
    v = make_venue(zero_cost(max_volume_share=0.1))
    order = v.order(Side.BUY, 250, tif=TimeInForce.FOK)
    v.bar(1, o=10.0, h=10.0, low=10.0, c=10.0, v=1000)
    assert v.rec.fills == []
    assert order.status is OrderStatus.CANCELED


def test_day_order_expires_when_the_session_changes(make_venue):
    v = make_venue()
    order = v.order(Side.BUY, 10, OrderType.LIMIT, limit=90.0, tif=TimeInForce.DAY)
    v.bar(1, o=100.0, h=101.0, low=99.0, c=100.0, session=1)
    v.bar(2, o=100.0, h=101.0, low=89.0, c=100.0, session=2)
    assert v.rec.fills == []
    assert order.status is OrderStatus.EXPIRED


def test_latency_delays_eligibility_and_a_mid_bar_arrival_fills_at_close(make_venue):
    v = make_venue(zero_cost(latency="90s"))
    v.clock.ts = 1 * MINUTE
    order = v.order(Side.BUY, 10)  # reaches the venue at 2.5 minutes
    v.bar(1, o=100.0, h=100.0, low=100.0, c=100.0)  # closes at 2:00, before arrival
    assert v.rec.fills == []
    v.bar(2, o=101.0, h=103.0, low=101.0, c=102.0)  # 2:00-3:00: arrives inside it
    assert [f.price for f in v.rec.fills] == [102.0]
    assert v.rec.fills[0].price_rule == "arrived_inside_bar_close"
    assert order.status is OrderStatus.FILLED


def test_cancel_with_latency_can_lose_the_race_to_a_fill(make_venue):
    v = make_venue(zero_cost(latency="90s"))
    v.clock.ts = 0
    order = v.order(Side.BUY, 10, OrderType.LIMIT, limit=99.0)  # live from 1:30
    v.bar(1, o=100.0, h=100.0, low=100.0, c=100.0)  # 1:00-2:00: not yet live (opened 1:00)
    v.clock.ts = 2 * MINUTE
    v.rec.oms.transition(order, OrderEventKind.CANCEL_REQUEST, v.clock.ts)
    v.sim.cancel(order)  # effective at 3:30
    v.bar(2, o=100.0, h=100.0, low=98.0, c=99.0)  # 2:00-3:00 trades through 99
    assert [f.price for f in v.rec.fills] == [99.0]
    assert order.status is OrderStatus.FILLED


def test_second_modify_in_flight_is_merged_and_cancel_supersedes_a_replace(make_venue):
    v = make_venue(zero_cost(latency="90s"))
    order = v.order(Side.SELL, 10, OrderType.STOP, stop=90.0)
    v.clock.ts = 1 * MINUTE
    v.rec.oms.transition(order, OrderEventKind.REPLACE_REQUEST, v.clock.ts)
    v.sim.modify(order, None, None, 95.0)
    v.sim.modify(order, 5, None, None)  # merged: quantity 5 and stop 95 land together
    v.bar(3, o=100.0, h=101.0, low=99.0, c=100.0)  # opens 3:00, after 1:00 + 90s
    assert (order.quantity, order.stop_price, order.status) == (5, 95.0, OrderStatus.ACCEPTED)
    v.clock.ts = 4 * MINUTE
    v.rec.oms.transition(order, OrderEventKind.REPLACE_REQUEST, v.clock.ts)
    v.sim.modify(order, None, None, 99.5)
    v.rec.oms.transition(order, OrderEventKind.CANCEL_REQUEST, v.clock.ts)
    v.sim.cancel(order)
    v.bar(6, o=100.0, h=101.0, low=99.0, c=100.0)  # would trigger the 99.5 stop if replaced
    assert v.rec.fills == []
    assert order.status is OrderStatus.CANCELED


def test_cancel_sent_from_a_fill_callback_cannot_change_how_the_same_bar_fills(make_venue):
    v = make_venue()
    first = v.order(Side.BUY, 10)
    second = v.order(Side.BUY, 10, OrderType.LIMIT, limit=99.0)
    record = v.rec.on_venue_fill

    def cancel_second_on_fill(order, fill):  # a strategy reacting to what it saw at the open
        record(order, fill)
        if order is first and second.status.is_working:
            v.rec.oms.transition(second, OrderEventKind.CANCEL_REQUEST, v.clock.ts)
            v.sim.cancel(second)

    v.rec.on_venue_fill = cancel_second_on_fill  # type: ignore[method-assign]
    v.bar(1, o=100.0, h=100.0, low=98.0, c=98.5)
    # The callback runs at the bar's close: the limit had already traded through by then.
    assert second.status is OrderStatus.FILLED
    assert [f.client_order_id for f in v.rec.fills] == [
        first.client_order_id,
        second.client_order_id,
    ]


def test_oco_partial_fill_shrinks_the_sibling_instead_of_leaving_it_whole(make_venue):
    v = make_venue(zero_cost(max_volume_share=0.5))
    stop = v.order(Side.SELL, 1000, OrderType.STOP, stop=95.0, oco="bracket")
    target = v.order(Side.SELL, 1000, OrderType.LIMIT, limit=105.0, oco="bracket")
    v.bar(1, o=100.0, h=100.0, low=94.0, c=96.0, v=1000)  # stop fills 500 of 1000
    assert stop.filled_quantity == 500
    assert target.quantity == 500
    v.bar(2, o=106.0, h=107.0, low=105.5, c=106.0, v=100_000)
    sold = sum(f.quantity for f in v.rec.fills)
    assert sold == 1000  # never more than the position the bracket protects


def test_unknown_volume_allows_no_fill_under_a_volume_cap(make_venue):
    v = make_venue(zero_cost(max_volume_share=0.1))
    order = v.order(Side.BUY, 500_000)
    v.bar(1, o=1.0, h=1.0, low=1.0, c=1.0, v=float("nan"))
    assert v.rec.fills == []
    v.bar(2, o=1.0, h=1.0, low=1.0, c=1.0, v=1000)
    assert order.filled_quantity == 100


def test_costs_never_push_a_limit_fill_beyond_its_limit(make_venue):
    cfg = zero_cost(
        spread_bps=10.0, slippage={"fixed_bps": 5, "volatility_factor": 0, "impact_factor": 0}
    )
    v = make_venue(cfg)
    v.order(Side.BUY, 10, OrderType.LIMIT, limit=100.0)
    v.order(Side.SELL, 10, OrderType.STOP_LIMIT, stop=101.0, limit=100.0)
    v.bar(1, o=99.99, h=100.5, low=99.0, c=100.0)  # buy limit opens through at 99.99
    v.bar(2, o=100.5, h=100.6, low=100.2, c=100.4)  # sell stop-limit gaps below its stop
    buy, sell = v.rec.fills
    assert buy.price <= 100.0
    assert sell.price >= 100.0
    assert buy.spread_cost + buy.slippage_cost == pytest.approx(10 * (buy.price - 99.99))


def test_oco_sibling_reduced_while_its_cancel_is_in_flight_stays_pending_cancel(make_venue):
    v = make_venue(zero_cost(max_volume_share=0.5, latency="90s"))
    stop = v.order(Side.SELL, 1000, OrderType.STOP, stop=95.0, oco="bracket")
    target = v.order(Side.SELL, 1000, OrderType.LIMIT, limit=120.0, oco="bracket")
    v.bar(2, o=100.0, h=100.0, low=99.0, c=99.5, v=1000)  # both live now; nothing fills
    v.clock.ts = 3 * MINUTE
    v.rec.oms.transition(target, OrderEventKind.CANCEL_REQUEST, v.clock.ts)
    v.sim.cancel(target)  # lands at 4:30
    v.bar(3, o=100.0, h=100.0, low=94.0, c=96.0, v=1000)  # stop fills 500 at 3:00
    assert stop.filled_quantity == 500
    assert target.quantity == 500
    assert target.status is OrderStatus.PENDING_CANCEL
