"""The numba cost helpers against the engine's own functions, value for value."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quantrail.core.instruments import Instrument
from quantrail.execution.config import ExecutionConfig
from quantrail.execution.costs import commission_for, slippage_fraction
from quantrail.research.fast import _nb
from quantrail.research.fast.market import _half_spreads, cost_vector

TICKS = st.sampled_from([0.01, 0.0001, 0.05, 0.25, 1.0, 0.001])
PRICES = st.floats(0.01, 200_000, allow_nan=False, allow_infinity=False)
FAST = settings(max_examples=300, deadline=None)


@settings(max_examples=2000, deadline=None)
@given(
    x=st.one_of(
        st.floats(-3e6, 3e6),
        st.floats(440_000, 2_200_000),
        # Dyadic values (few significant bits) are where x * 1e10 lands on a half.
        st.builds(lambda m, e: m / 2.0**e, st.integers(-(2**30), 2**30), st.integers(0, 40)),
    )
)
def test_ten_decimal_rounding_matches_python(x: float) -> None:
    assert _nb.round10_nb(x) == round(x, 10)


@FAST
@given(price=PRICES, tick=TICKS)
def test_tick_rounding_matches_the_instrument(price: float, tick: float) -> None:
    instrument = Instrument("X", tick_size=tick)
    assert _nb.round_price_nb(price, tick, True) == instrument.round_price_up(price)
    assert _nb.round_price_nb(price, tick, False) == instrument.round_price_down(price)


@FAST
@given(quantity=st.floats(0, 1e7), lot=st.sampled_from([1.0, 0.001, 100.0, 0.5]))
def test_lot_rounding_matches_the_instrument(quantity: float, lot: float) -> None:
    assert _nb.round_quantity_nb(quantity, lot) == Instrument("X", lot_size=lot).round_quantity(
        quantity
    )


@FAST
@given(
    quantity=st.floats(1, 1e6),
    price=PRICES,
    per_share=st.sampled_from([0.0, 0.005, 0.01]),
    minimum=st.sampled_from([0.0, 1.0]),
    maximum=st.sampled_from([None, 5.0, 0.5]),
    percent=st.sampled_from([0.0, 0.1, 0.25]),
    fixed=st.sampled_from([0.0, 1.5]),
)
def test_commission_matches_the_engine(
    quantity: float, price: float, per_share: float, minimum: float, maximum: float | None,
    percent: float, fixed: float,
) -> None:  # fmt: skip
    execution = ExecutionConfig.model_validate(
        {"commission": {"per_share": per_share, "minimum": minimum, "maximum": maximum,
                        "percent": percent, "fixed": fixed}}
    )  # fmt: skip
    cost = cost_vector(execution, 0.01, 1.0)
    expected = round(commission_for(execution.commission, quantity, quantity * price) - 0.0, 10)
    assert _nb.commission_nb(quantity, quantity * price, cost) == expected


@FAST
@given(
    ref=PRICES,
    buy=st.booleans(),
    half_spread=st.floats(0, 0.01),
    sigma=st.floats(0, 0.2),
    quantity=st.floats(1, 1e5),
    volume=st.one_of(st.just(0.0), st.just(math.nan), st.floats(1, 1e8)),
    tick=TICKS,
)
def test_fill_price_matches_the_simulator(
    ref: float, buy: bool, half_spread: float, sigma: float, quantity: float, volume: float,
    tick: float,
) -> None:  # fmt: skip
    execution = ExecutionConfig()
    sign = 1.0 if buy else -1.0
    # FillSimulator._fill for a taker, line for line.
    slip = slippage_fraction(execution.slippage, sigma, quantity, volume)
    raw = ref * (1.0 + sign * (half_spread + slip))
    instrument = Instrument("X", tick_size=tick)
    expected = instrument.round_price_up(raw) if buy else instrument.round_price_down(raw)
    cost = cost_vector(execution, tick, 1.0)
    assert _nb.fill_price_nb(ref, sign, half_spread, sigma, quantity, volume, cost) == expected


def test_a_quote_sets_the_spread_from_the_next_bar_on() -> None:
    bid = np.array([np.nan, 99.0, 0.0, 99.5, np.nan])
    ask = np.array([np.nan, 101.0, 1.0, 99.4, np.nan])  # bar 2 bid 0 and bar 3 crossed: invalid
    out = _half_spreads(bid, ask, 0.5)
    assert out.tolist() == [0.5, 0.5, 0.01, 0.01, 0.01]
