"""Incremental classes and their vectorized twins produce the same numbers.

Tolerance: see ``conftest`` (|a - b| <= 1e-9 + 1e-9 |b|, identical NaN positions). In practice
the twins repeat the same floating-point operations and agree bit for bit; the test allows
the stated tolerance so that a harmless reordering is not a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quantrail.indicators as ind
from quantrail.indicators import (
    ATR,
    EMA,
    MACD,
    OBV,
    RSI,
    SMA,
    Bollinger,
    RollingVolatility,
    ZScore,
)

Array = npt.NDArray[np.float64]
Pair = tuple[str, Array, Array]


def pairs(
    run: Callable[..., Array], c: Array, h: Array, lo: Array, v: Array, n: int
) -> Iterator[Pair]:
    """(label, incremental output, vectorized output) for every indicator at period ``n``."""
    n2 = max(n, 2)
    yield "SMA", run(SMA(n), c), ind.sma(c, n)
    yield "EMA", run(EMA(n), c), ind.ema(c, n)
    yield "RSI", run(RSI(n2), c), ind.rsi(c, n2)
    fast, slow, signal = max(1, n // 2), n + 1, max(1, n // 3)
    macd_inc = run(MACD(fast, slow, signal), c, attrs=("macd", "signal", "hist"))
    for label, a, b in zip(
        ("MACD", "signal", "hist"), macd_inc, ind.macd(c, fast, slow, signal), strict=True
    ):
        yield label, a, b
    yield "OBV", run(OBV(), c, v), ind.obv(c, v)
    yield "ATR", run(ATR(n), h, lo, c), ind.atr(h, lo, c, n)
    bb_inc = run(Bollinger(n2, 1.5), c, attrs=("upper", "middle", "lower"))
    for label, a, b in zip(
        ("upper", "middle", "lower"), bb_inc, ind.bollinger(c, n2, 1.5), strict=True
    ):
        yield label, a, b
    yield "ZScore", run(ZScore(n2), c), ind.zscore(c, n2)
    yield (
        "RollingVolatility",
        run(RollingVolatility(n2, 252.0), c),
        ind.rolling_volatility(c, n2, 252.0),
    )


@pytest.mark.parametrize("n", [1, 2, 14, 20, 50])
def test_twins_agree_on_spy(
    spy: pd.DataFrame, run: Callable[..., Array], agree: Callable[..., None], n: int
) -> None:
    c, h, lo, v = (spy[col].to_numpy() for col in ("close", "high", "low", "volume"))
    for label, incremental, vectorized in pairs(run, c, h, lo, v, n):
        agree(incremental, vectorized, label=label)
        assert vectorized.dtype == np.float64
        assert vectorized.shape == c.shape


# Mixing a few fixed levels into arbitrary floats makes flat runs (zero variance, zero
# changes) common, which is where rolling statistics are most fragile.
price = st.one_of(
    st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False),
    st.sampled_from([1.0, 100.0, 100.01]),
)


@st.composite
def ohlcv(draw: st.DrawFn) -> tuple[Array, Array, Array, Array]:
    c = np.array(draw(st.lists(price, min_size=0, max_size=150)), dtype=np.float64)
    spread = np.array(draw(st.lists(st.floats(0.0, 0.05), min_size=len(c), max_size=len(c))))
    v = np.array(draw(st.lists(st.floats(0.0, 1e9), min_size=len(c), max_size=len(c))))
    return c, c * (1.0 + spread), c * (1.0 - spread), v


@settings(deadline=None, max_examples=200)
@given(data=ohlcv(), n=st.integers(1, 25))
def test_twins_agree_on_generated_series(
    run: Callable[..., Array],
    agree: Callable[..., None],
    data: tuple[Array, Array, Array, Array],
    n: int,
) -> None:
    c, h, lo, v = data
    for label, incremental, vectorized in pairs(run, c, h, lo, v, n):
        agree(incremental, vectorized, label=label)
