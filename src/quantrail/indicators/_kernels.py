"""Numba kernels behind ``quantrail.indicators.vectorized``.

Each kernel repeats its incremental class's arithmetic operation for operation (same seeds,
same summation order, same formula shape), so batch and incremental results agree to the last
bit, and both agree with TA-Lib because TA-Lib's order is the one copied. Inputs are assumed
validated (1-D, float64, finite, valid periods) by the public wrappers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from numba import njit

from quantrail.indicators._window import COLLAPSE

__all__ = [
    "atr_nb",
    "ema_nb",
    "macd_nb",
    "rolling_moments_nb",
    "rsi_nb",
    "sma_nb",
]

_F = TypeVar("_F", bound=Callable[..., Any])
Array = npt.NDArray[np.float64]


def _njit(fn: _F) -> _F:
    # numba ships no type hints; this keeps each kernel's signature visible to strict mypy.
    return cast(_F, njit(cache=True)(fn))


@_njit
def sma_nb(x: Array, n: int) -> Array:
    """Simple moving average; mirrors ``SMA.update`` (running sum, re-added once per lap)."""
    m = x.shape[0]
    out = np.full(m, np.nan)
    buf = np.zeros(n)
    total = 0.0
    idx = 0
    for t in range(m):
        xv = x[t]
        total = total + (xv - buf[idx])
        buf[idx] = xv
        idx += 1
        if idx == n:
            idx = 0
            total = 0.0
            for j in range(n):
                total += buf[j]
        if t >= n - 1:
            out[t] = total / n
    return out


@_njit
def ema_nb(x: Array, n: int) -> Array:
    """EMA seeded with the SMA of the first ``n`` values; mirrors ``EMA.update``."""
    m = x.shape[0]
    out = np.full(m, np.nan)
    if m < n:
        return out
    total = 0.0
    for j in range(n):
        total += x[j]
    v = total / n
    out[n - 1] = v
    k = 2.0 / (n + 1)
    for t in range(n, m):
        v = (x[t] - v) * k + v
        out[t] = v
    return out


@_njit
def rsi_nb(x: Array, n: int) -> Array:
    """Wilder RSI seeded with plain averages of the first ``n`` changes; mirrors ``RSI``."""
    m = x.shape[0]
    out = np.full(m, np.nan)
    if m <= n:
        return out
    gain = 0.0
    loss = 0.0
    for t in range(1, n + 1):
        d = x[t] - x[t - 1]
        if d < 0.0:
            loss -= d
        else:
            gain += d
    gain /= n
    loss /= n
    s = gain + loss
    out[n] = 100.0 * (gain / s) if s != 0.0 else 0.0
    nm1 = float(n - 1)
    for t in range(n + 1, m):
        d = x[t] - x[t - 1]
        gain = gain * nm1
        loss = loss * nm1
        if d < 0.0:
            loss -= d
        else:
            gain += d
        gain /= n
        loss /= n
        s = gain + loss
        out[t] = 100.0 * (gain / s) if s != 0.0 else 0.0
    return out


@_njit
def macd_nb(x: Array, fast: int, slow: int, signal: int) -> tuple[Array, Array, Array]:
    """MACD line, signal and histogram with TA-Lib's seeding; mirrors ``MACD``."""
    m = x.shape[0]
    out_m = np.full(m, np.nan)
    out_s = np.full(m, np.nan)
    out_h = np.full(m, np.nan)
    if m < slow:
        return out_m, out_s, out_h
    total = 0.0
    for j in range(slow):
        total += x[j]
    se = total / slow
    total = 0.0
    for j in range(slow - fast, slow):
        total += x[j]
    fe = total / fast
    kf = 2.0 / (fast + 1)
    ks = 2.0 / (slow + 1)
    kg = 2.0 / (signal + 1)
    sig_sum = 0.0
    sig_count = 0
    sig = np.nan
    for t in range(slow - 1, m):
        if t >= slow:
            xv = x[t]
            fe = (xv - fe) * kf + fe
            se = (xv - se) * ks + se
        mv = fe - se
        if sig_count < signal:
            sig_sum = sig_sum + mv
            sig_count += 1
            if sig_count < signal:
                continue
            sig = sig_sum / signal
        else:
            sig = (mv - sig) * kg + sig
        out_m[t] = mv
        out_s[t] = sig
        out_h[t] = mv - sig
    return out_m, out_s, out_h


@_njit
def atr_nb(high: Array, low: Array, close: Array, n: int) -> Array:
    """Wilder ATR seeded with the mean of the first ``n`` true ranges; mirrors ``ATR``."""
    m = close.shape[0]
    out = np.full(m, np.nan)
    nm1 = float(n - 1)
    total = 0.0
    v = np.nan
    for t in range(1, m):
        pc = close[t - 1]
        tr = high[t] - low[t]
        d = abs(pc - high[t])
        if d > tr:
            tr = d
        d = abs(low[t] - pc)
        if d > tr:
            tr = d
        if t > n:
            v = (v * nm1 + tr) / n
        else:
            total = total + tr
            if t < n:
                continue
            v = total / n
        out[t] = v
    return out


@_njit
def _moments_exact(buf: Array, n: int) -> tuple[float, float]:
    total = 0.0
    for j in range(n):
        total += buf[j]
    mean = total / n
    m2 = 0.0
    for j in range(n):
        d = buf[j] - mean
        m2 += d * d
    return mean, m2


@_njit
def rolling_moments_nb(x: Array, n: int) -> tuple[Array, Array]:
    """Rolling mean and sum of squared deviations; mirrors ``_window.WindowMoments._push``."""
    m = x.shape[0]
    mean_out = np.full(m, np.nan)
    m2_out = np.full(m, np.nan)
    buf = np.zeros(n)
    idx = 0
    count = 0
    last = np.nan
    run = 0
    mean = 0.0
    m2 = 0.0
    peak = 0.0
    for t in range(m):
        xv = x[t]
        old = buf[idx]
        buf[idx] = xv
        idx += 1
        if idx == n:
            idx = 0
        if xv == last:
            run += 1
        else:
            run = 1
            last = xv
        if run >= n:
            count = n
            mean = xv
            m2 = 0.0
            peak = 0.0
        elif count < n:
            count += 1
            if count < n:
                continue
            mean, m2 = _moments_exact(buf, n)
            peak = m2
        else:
            d = xv - old
            mean_new = mean + d / n
            m2_new = m2 + d * ((xv - mean_new) + (old - mean))
            if idx == 0 or m2_new < peak * COLLAPSE:
                mean, m2 = _moments_exact(buf, n)
                peak = m2
            else:
                mean = mean_new
                m2 = m2_new
                if m2 > peak:
                    peak = m2
        mean_out[t] = mean
        m2_out[t] = m2
    return mean_out, m2_out
