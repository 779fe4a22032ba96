"""Numerical robustness of the rolling statistics: bad ticks, flat markets, high price levels.

Reference values come from explicit two-pass computations over each window (in extended
precision where the data are ill-conditioned). Tolerance as in ``conftest``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import talib
from numpy.lib.stride_tricks import sliding_window_view

import quantrail.indicators as ind
from quantrail.indicators import RSI, SMA, Bollinger, ZScore

Array = npt.NDArray[np.float64]


def exact_mean_std(x: Array, n: int) -> tuple[Array, Array]:
    w = sliding_window_view(x.astype(np.longdouble), n)
    mean = w.mean(axis=1)
    std = np.sqrt(((w - mean[:, None]) ** 2).mean(axis=1))
    pad = np.full(n - 1, np.nan)
    return np.r_[pad, mean.astype(np.float64)], np.r_[pad, std.astype(np.float64)]


def exact_zscore(x: Array, n: int) -> Array:
    """Z-score with mean, deviation and std all in extended precision."""
    w = sliding_window_view(x.astype(np.longdouble), n)
    mean = w.mean(axis=1)
    std = np.sqrt(((w - mean[:, None]) ** 2).mean(axis=1))
    z = (w[:, -1] - mean) / std
    return np.r_[np.full(n - 1, np.nan), z.astype(np.float64)]


def random_walk(level: float, step: float, size: int, seed: int = 11) -> Array:
    return level + np.cumsum(np.random.default_rng(seed).normal(0.0, step, size))


def test_bad_tick_leaving_the_window_leaves_no_residue(
    run: Callable[..., Array], agree: Callable[..., None]
) -> None:
    # A finite but absurd print (1e9 on a ~100 price) makes the running sums cancel when it
    # drops out; the very next outputs must already be exact again.
    x = random_walk(100.0, 1.0, 400)
    x[150] = 1e9
    n = 20
    mean, std = exact_mean_std(x, n)
    z = ind.zscore(x, n)
    agree(z, (x - mean) / std)
    agree(run(ZScore(n), x), z)
    upper, middle, _ = ind.bollinger(x, n, 2.0)
    agree(middle, mean)
    agree(upper - middle, 2.0 * std)
    agree(ind.sma(x, n), mean)
    agree(run(SMA(n), x), mean)


def test_high_price_level_with_tiny_moves_keeps_precision(agree: Callable[..., None]) -> None:
    # Level / spread ~ 1e8: the classic sum-of-squares variance has no correct digits left,
    # pandas' rolling std is off by ~1e-4 relative; the z-score here stays ~1e-11 exact.
    x = random_walk(1e4, 1e-4, 5000)
    agree(ind.zscore(x, 20), exact_zscore(x, 20))


def test_flat_market_gives_exact_zero_spread(run: Callable[..., Array]) -> None:
    x = np.r_[random_walk(50.0, 0.5, 60), np.full(30, 0.1)]
    n = 10
    z = ind.zscore(x, n)
    upper, middle, lower = ind.bollinger(x, n)
    tail = slice(60 + n - 1, None)
    assert (z[tail] == 0.0).all()
    assert (upper[tail] == 0.1).all()
    assert (middle[tail] == 0.1).all()
    assert (lower[tail] == 0.1).all()
    assert (ind.rolling_volatility(x, n)[60 + n :] == 0.0).all()
    bb = Bollinger(n)
    run(bb, x)
    assert bb.upper == bb.lower == bb.middle == 0.1


def test_long_series_does_not_drift(agree: Callable[..., None]) -> None:
    x = random_walk(1000.0, 1.0, 200_000)
    mean, std = exact_mean_std(x, 50)
    agree(ind.sma(x, 50), mean)
    agree(ind.bollinger(x, 50, 1.0)[1], mean)
    agree(ind.zscore(x, 50), (x - mean) / std)


def test_rsi_holds_its_level_through_a_flat_stretch(
    run: Callable[..., Array], agree: Callable[..., None]
) -> None:
    # Under pure decay gain and loss shrink by the same factor, so RSI is unchanged; no
    # epsilon cut-off turns a quiet market into RSI 0.
    x = np.r_[random_walk(100.0, 1.0, 40), np.full(600, 120.0)]
    out = run(RSI(14), x)
    agree(out, talib.RSI(x, 14))
    assert np.allclose(out[60:], out[41], rtol=1e-12)


def test_flat_window_after_ulp_jitter_is_exactly_flat() -> None:
    # The hardest flat case: the values that leave differ from the flat level by one or two
    # ulps, so nothing but exact arithmetic yields a zero spread.
    rng = np.random.default_rng(5)
    for _ in range(300):
        n = int(rng.integers(2, 13))
        base = float(rng.uniform(0.5, 1000.0))
        jitter = base + np.spacing(base) * rng.integers(-3, 4, int(rng.integers(n, 3 * n)))
        x = np.r_[jitter, np.full(n + 2, base)]
        first_flat = len(jitter) + n - 1
        assert (ind.zscore(x, n)[first_flat:] == 0.0).all()
        assert (ind.bollinger(x, n)[1][first_flat:] == base).all()
        z = ZScore(n)
        for value in x:
            z.update(value)
        assert z.value == 0.0
