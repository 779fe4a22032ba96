"""Vectorized twins of the incremental indicators, for research over whole arrays.

Every function takes 1-D array-likes and returns float64 arrays of the input's length with
NaN during the warm-up; the first defined index equals the incremental class's ``warmup``.
The recursive indicators (and the rolling windows, see below) run in numba kernels that
repeat the incremental arithmetic operation for operation, so batch and streaming results
are identical, not merely close. Like the classes, the functions reject NaN and infinite
inputs with ``ValueError`` rather than propagating them.

Rolling windows use kernels too rather than ``cumsum`` differences: a difference of two
prefix sums loses digits in proportion to the series' length, and a prefix sum of squares
loses all of them on low-volatility, high-priced series.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from quantrail.indicators import _kernels as kern
from quantrail.indicators._checks import check_period, check_positive

__all__ = [
    "atr",
    "bollinger",
    "ema",
    "macd",
    "obv",
    "rolling_volatility",
    "rsi",
    "sma",
    "zscore",
]

Array = npt.NDArray[np.float64]


def _series(func: str, name: str, x: npt.ArrayLike) -> Array:
    a = np.ascontiguousarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{func}: {name} must be one-dimensional, got shape {a.shape}")
    finite = np.isfinite(a)
    if not finite.all():
        i = int(np.argmin(finite))
        raise ValueError(f"{func}: {name} must be finite, got {float(a[i])!r} at index {i}")
    return a


def _same_length(func: str, **arrays: Array) -> None:
    lengths = {name: a.shape[0] for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{func}: inputs must have equal lengths, got {lengths}")


def sma(x: npt.ArrayLike, n: int) -> Array:
    """Simple moving average; twin of :class:`~quantrail.indicators.SMA`.

    Parameters
    ----------
    x : array_like
        1-D finite series.
    n : int
        Window length, >= 1.

    Returns
    -------
    numpy.ndarray
        float64, same length as ``x``; NaN for the first ``n - 1`` entries.
    """
    a = _series("sma", "x", x)
    return kern.sma_nb(a, check_period("sma", "n", n))


def ema(x: npt.ArrayLike, n: int) -> Array:
    """Exponential moving average seeded like TA-Lib; twin of :class:`~quantrail.indicators.EMA`.

    Parameters
    ----------
    x : array_like
        1-D finite series.
    n : int
        Span, >= 1; ``alpha = 2 / (n + 1)``.

    Returns
    -------
    numpy.ndarray
        float64, same length as ``x``; NaN for the first ``n - 1`` entries.
    """
    a = _series("ema", "x", x)
    return kern.ema_nb(a, check_period("ema", "n", n))


def rsi(x: npt.ArrayLike, n: int = 14) -> Array:
    """Wilder RSI as ``talib.RSI``; twin of :class:`~quantrail.indicators.RSI`.

    Parameters
    ----------
    x : array_like
        1-D finite price series.
    n : int, default 14
        Smoothing period, >= 2.

    Returns
    -------
    numpy.ndarray
        float64, same length as ``x``; NaN for the first ``n`` entries.
    """
    a = _series("rsi", "x", x)
    return kern.rsi_nb(a, check_period("rsi", "n", n, 2))


def macd(
    x: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[Array, Array, Array]:
    """MACD as ``talib.MACD``; twin of :class:`~quantrail.indicators.MACD`.

    Parameters
    ----------
    x : array_like
        1-D finite price series.
    fast : int, default 12
        Fast EMA span, >= 1.
    slow : int, default 26
        Slow EMA span, > ``fast``.
    signal : int, default 9
        Signal EMA span, >= 1.

    Returns
    -------
    macd, signal, hist : numpy.ndarray
        float64 arrays of the input's length, NaN for the first ``slow + signal - 2`` entries.
    """
    a = _series("macd", "x", x)
    fast = check_period("macd", "fast", fast)
    slow = check_period("macd", "slow", slow, 2)
    signal = check_period("macd", "signal", signal)
    if fast >= slow:
        raise ValueError(f"macd: fast must be < slow, got fast={fast}, slow={slow}")
    return kern.macd_nb(a, fast, slow, signal)


def obv(close: npt.ArrayLike, volume: npt.ArrayLike) -> Array:
    """On-balance volume as ``talib.OBV``; twin of :class:`~quantrail.indicators.OBV`.

    Parameters
    ----------
    close, volume : array_like
        1-D finite series of equal length.

    Returns
    -------
    numpy.ndarray
        float64, same length as the inputs, starting at ``volume[0]``; no warm-up.
    """
    c = _series("obv", "close", close)
    v = _series("obv", "volume", volume)
    _same_length("obv", close=c, volume=v)
    out = np.empty(c.shape[0])
    if out.shape[0] == 0:
        return out
    prev, cur, vol = c[:-1], c[1:], v[1:]
    out[0] = v[0]
    out[1:] = np.where(cur > prev, vol, np.where(cur < prev, -vol, 0.0))
    # cumsum adds left to right, the same order as the incremental running total.
    return np.cumsum(out, out=out)


def atr(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, n: int = 14) -> Array:
    """Average true range as ``talib.ATR``; twin of :class:`~quantrail.indicators.ATR`.

    Parameters
    ----------
    high, low, close : array_like
        1-D finite series of equal length.
    n : int, default 14
        Smoothing period, >= 1.

    Returns
    -------
    numpy.ndarray
        float64, same length as the inputs; NaN for the first ``n`` entries.
    """
    h = _series("atr", "high", high)
    lo = _series("atr", "low", low)
    c = _series("atr", "close", close)
    _same_length("atr", high=h, low=lo, close=c)
    return kern.atr_nb(h, lo, c, check_period("atr", "n", n))


def bollinger(x: npt.ArrayLike, n: int = 20, k: float = 2.0) -> tuple[Array, Array, Array]:
    """Bollinger Bands as ``talib.BBANDS(matype=0)``; twin of :class:`.Bollinger`.

    Parameters
    ----------
    x : array_like
        1-D finite price series.
    n : int, default 20
        Window length, >= 2.
    k : float, default 2.0
        Band width in population (``ddof=0``) standard deviations, > 0.

    Returns
    -------
    upper, middle, lower : numpy.ndarray
        float64 arrays of the input's length, NaN for the first ``n - 1`` entries.
    """
    a = _series("bollinger", "x", x)
    n = check_period("bollinger", "n", n, 2)
    width = check_positive("bollinger", "k", k)
    shift, s1, m2 = kern.rolling_moments_nb(a, n)
    mean = shift + s1 / n
    band = width * np.sqrt(m2 / n)
    return mean + band, mean, mean - band


def zscore(x: npt.ArrayLike, n: int) -> Array:
    """Rolling z-score with ``ddof=0``; twin of :class:`~quantrail.indicators.ZScore`.

    Parameters
    ----------
    x : array_like
        1-D finite series.
    n : int
        Window length including the current value, >= 2.

    Returns
    -------
    numpy.ndarray
        float64, same length as ``x``; NaN for the first ``n - 1`` entries, ``0.0`` where the
        window's standard deviation is exactly zero.
    """
    a = _series("zscore", "x", x)
    n = check_period("zscore", "n", n, 2)
    shift, s1, m2 = kern.rolling_moments_nb(a, n)
    sd = np.sqrt(m2 / n)
    out = np.zeros(a.shape[0])
    # where= keeps 0/0 out of the computation instead of silencing its warning afterwards.
    np.divide((a - shift) - s1 / n, sd, out=out, where=sd > 0.0)
    out[np.isnan(shift)] = np.nan
    return out


def rolling_volatility(x: npt.ArrayLike, n: int, annualization: float = 1.0) -> Array:
    """Rolling std (``ddof=1``) of simple returns; twin of :class:`.RollingVolatility`.

    Parameters
    ----------
    x : array_like
        1-D finite, non-zero price series.
    n : int
        Number of returns per window, >= 2.
    annualization : float, default 1.0
        Periods per year; the result is scaled by ``sqrt(annualization)``.

    Returns
    -------
    numpy.ndarray
        float64, same length as ``x``; NaN for the first ``n`` entries.
    """
    a = _series("rolling_volatility", "x", x)
    n = check_period("rolling_volatility", "n", n, 2)
    scale = math.sqrt(check_positive("rolling_volatility", "annualization", annualization))
    out = np.full(a.shape[0], np.nan)
    if a.shape[0] < 2:
        return out
    zeros = np.flatnonzero(a == 0.0)
    if zeros.size:
        raise ValueError(
            f"rolling_volatility: x must be non-zero (returns divide by it), "
            f"got 0.0 at index {int(zeros[0])}"
        )
    _, _, m2 = kern.rolling_moments_nb(a[1:] / a[:-1] - 1.0, n)
    out[1:] = np.sqrt(m2 / (n - 1)) * scale
    return out
