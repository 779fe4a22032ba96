"""Costs with hand-computed numbers."""

from __future__ import annotations

import math

import pytest

from quantrail.core import OrderType, Side
from quantrail.execution.config import CommissionConfig, SlippageConfig
from quantrail.execution.costs import commission_for, slippage_fraction
from tests.unit.execution.conftest import zero_cost


def test_per_share_commission_has_a_minimum_and_a_cap():
    cfg = CommissionConfig(per_share=0.005, minimum=1.0, maximum=5.0)
    assert commission_for(cfg, 100, 10_000) == 1.0  # 0.50 raised to the minimum
    assert commission_for(cfg, 500, 50_000) == 2.5
    assert commission_for(cfg, 2_000, 200_000) == 5.0  # 10.00 capped


def test_percent_and_fixed_commission_add_up():
    cfg = CommissionConfig(per_share=0.0, minimum=0.0, percent=0.1, fixed=2.0)
    assert commission_for(cfg, 10, 1_000) == pytest.approx(1.0 + 2.0)


def test_slippage_grows_with_volatility_and_participation():
    cfg = SlippageConfig(fixed_bps=2.0, volatility_factor=0.1, impact_factor=0.5)
    # 2 bps + 0.1 x 1 % + 0.5 x 1 % x sqrt(2500 / 10000) = 0.0002 + 0.001 + 0.0025
    assert slippage_fraction(cfg, 0.01, 2_500, 10_000) == pytest.approx(0.0037)
    assert slippage_fraction(cfg, 0.02, 2_500, 10_000) > slippage_fraction(cfg, 0.01, 2_500, 10_000)
    assert slippage_fraction(cfg, 0.01, 5_000, 10_000) > slippage_fraction(cfg, 0.01, 2_500, 10_000)
    # Unknown volume is treated as taking the whole bar, never as free.
    assert slippage_fraction(cfg, 0.01, 1, 0) == pytest.approx(0.0002 + 0.001 + 0.005)


def test_market_buy_pays_half_spread_and_slippage_rounded_up_to_tick(make_venue):
    cfg = zero_cost(
        spread_bps=10.0,
        slippage={"fixed_bps": 5.0, "volatility_factor": 0.0, "impact_factor": 0.0},
        commission={"per_share": 0.01, "minimum": 1.0},
    )
    v = make_venue(cfg)
    v.order(Side.BUY, 100)
    v.bar(1, o=50.0, h=51.0, low=49.0, c=50.5)
    fill = v.rec.fills[0]
    # 50 x (1 + 0.0005 + 0.0005) = 50.05 exactly on the tick
    assert fill.reference_price == 50.0
    assert fill.price == pytest.approx(50.05)
    assert fill.spread_cost == pytest.approx(100 * 50 * 0.0005)  # 2.50
    assert fill.slippage_cost == pytest.approx(100 * 0.05 - 2.5)  # 2.50
    assert fill.commission == pytest.approx(1.0)  # 100 x 0.01 = 1.00


def test_sell_price_is_rounded_down_to_the_tick(make_venue):
    v = make_venue(
        zero_cost(slippage={"fixed_bps": 3.0, "volatility_factor": 0, "impact_factor": 0})
    )
    v.order(Side.SELL, 10)
    v.bar(1, o=33.33, h=34.0, low=33.0, c=33.5)
    raw = 33.33 * (1 - 0.0003)  # 33.320001
    assert v.rec.fills[0].price == pytest.approx(math.floor(raw * 100) / 100)


def test_resting_limit_fill_pays_commission_but_no_spread_or_slippage(make_venue):
    cfg = zero_cost(spread_bps=10.0, commission={"per_share": 0.01, "minimum": 0.0})
    v = make_venue(cfg)
    v.order(Side.BUY, 100, OrderType.LIMIT, limit=49.0)
    v.bar(1, o=50.0, h=50.0, low=48.0, c=49.5)
    fill = v.rec.fills[0]
    assert (fill.price, fill.spread_cost, fill.slippage_cost) == (49.0, 0.0, 0.0)
    assert fill.commission == pytest.approx(1.0)


def test_commission_minimum_and_fixed_fee_are_charged_once_per_order_across_partials(make_venue):
    cfg = zero_cost(
        max_volume_share=0.1, commission={"per_share": 0.005, "minimum": 1.0, "fixed": 0.5}
    )
    v = make_venue(cfg)
    order = v.order(Side.BUY, 300)
    for minute in (1, 2, 3):
        v.bar(minute, o=10.0, h=10.0, low=10.0, c=10.0, v=1000)
    assert [f.quantity for f in v.rec.fills] == [100, 100, 100]
    # total for 300 shares: max(1.50, 1.00) + 0.50 = 2.00; first fill pays min + fixed = 1.50
    assert [round(f.commission, 10) for f in v.rec.fills] == [1.5, 0.0, 0.5]
    assert order.commission == pytest.approx(2.0)


def test_volatility_slippage_uses_the_sigma_given_for_the_bar(make_venue):
    cfg = zero_cost(slippage={"fixed_bps": 0.0, "volatility_factor": 0.5, "impact_factor": 0.0})
    v = make_venue(cfg, tick=0.0001)
    v.order(Side.BUY, 1)
    v.bar(1, o=100.0, h=100.0, low=100.0, c=100.0, sigma=0.02)
    assert v.rec.fills[0].price == pytest.approx(101.0)  # 100 x (1 + 0.5 x 0.02)
