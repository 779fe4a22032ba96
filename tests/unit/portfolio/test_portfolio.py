"""Portfolio accounting from fills."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantrail.core import Fill, InvariantViolation, Side
from quantrail.portfolio import (
    Portfolio,
    fixed_quantity,
    percent_of_equity,
    risk_per_trade,
    volatility_target,
)


def fill(side: Side, quantity: float, price: float, commission: float = 0.0, n: int = 1) -> Fill:
    return Fill(f"F{n}", "O", "X", side, quantity, price, price, commission, 0.0, 0.0, n,
                "taker", "next_open")  # fmt: skip


def test_long_round_trip_realizes_pnl_and_fees():
    p = Portfolio(10_000)
    p.apply_fill(fill(Side.BUY, 10, 100.0, 1.0))
    p.last_prices["X"] = 105.0
    assert p.unrealized_pnl() == pytest.approx(50.0)
    assert p.equity() == pytest.approx(10_000 - 1 + 50)
    p.apply_fill(fill(Side.SELL, 10, 110.0, 1.0, n=2))
    assert p.position("X") == 0
    assert p.realized_pnl == pytest.approx(100.0)
    assert p.fees == pytest.approx(2.0)
    assert p.cash == pytest.approx(10_098.0)


def test_short_then_flip_long_opens_remainder_at_fill_price():
    p = Portfolio(10_000)
    p.apply_fill(fill(Side.SELL, 10, 100.0))
    p.apply_fill(fill(Side.BUY, 15, 90.0, n=2))
    assert p.position("X") == 5
    assert p.realized_pnl == pytest.approx(100.0)  # short 10 from 100 to 90
    assert p.average_price("X") == 90.0


def test_adding_moves_the_average_price():
    p = Portfolio(10_000)
    p.apply_fill(fill(Side.BUY, 10, 100.0))
    p.apply_fill(fill(Side.BUY, 30, 104.0, n=2))
    assert p.average_price("X") == pytest.approx(103.0)


def test_nan_price_fill_is_refused_and_nothing_is_booked():
    p = Portfolio(10_000)
    with pytest.raises(InvariantViolation, match="refusing to book"):
        p.apply_fill(fill(Side.BUY, 10, float("nan")))
    assert p.cash == 10_000
    assert p.position("X") == 0


@given(
    st.lists(
        st.tuples(
            st.sampled_from([Side.BUY, Side.SELL]),
            st.integers(1, 500),
            st.floats(1.0, 1_000.0),
            st.floats(0.0, 5.0),
        ),
        min_size=1,
        max_size=40,
    ),
    st.floats(1.0, 1_000.0),
)
def test_cash_plus_positions_at_market_equals_equity_and_pnl(trades, mark):
    p = Portfolio(1_000_000)
    for n, (side, quantity, price, commission) in enumerate(trades):
        p.apply_fill(fill(side, quantity, price, commission, n))
    p.last_prices["X"] = mark
    assert p.equity() == pytest.approx(p.cash + p.position("X") * mark)
    # Equity change = realized + unrealized - fees, whatever the path.
    expected = p.starting_cash + p.realized_pnl + p.unrealized_pnl() - p.fees
    assert p.equity() == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert p.position("X") == sum(int(s) * q for s, q, _, _ in trades)


def test_sizing_helpers():
    assert fixed_quantity(10.7) == 10
    assert percent_of_equity(100_000, 0.1, 33.0) == 303
    assert risk_per_trade(100_000, 0.01, 50.0, 48.0) == 500  # 1,000 risk / 2.00 stop distance
    assert volatility_target(100_000, 0.10, 0.20, 50.0) == 1_000  # 50,000 notional
    assert volatility_target(100_000, 0.10, 0.001, 50.0) == 2_000  # capped at 1x equity
    assert percent_of_equity(1_000, 0.5, 3.0, lot_size=0.001) == pytest.approx(166.666)
    with pytest.raises(ValueError, match="stop distance"):
        risk_per_trade(100_000, 0.01, 50.0, 50.0)
    with pytest.raises(ValueError, match="price must be a positive"):
        percent_of_equity(1_000, 0.1, float("nan"))
