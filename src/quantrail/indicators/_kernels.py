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
def _moments_exact_nb(buf: Array, n: int) -> tuple[float, float, float, float]:
    total = 0.0
    for j in range(n):
        total += buf[j]
    k = total / n
    s1 = 0.0
    s2 = 0.0
    for j in range(n):
        d = buf[j] - k
        s1 += d
        s2 += d * d
    m2 = s2 - s1 * s1 / n
    return k, s1, s2, m2 if m2 > 0.0 else 0.0


@_njit
def rolling_moments_nb(x: Array, n: int) -> tuple[Array, Array, Array]:
    """Rolling (shift, s1, m2); mirrors ``_window.WindowMoments._push``.

    ``mean = shift + s1 / n`` and ``m2`` is the sum of squared deviations from it.
    """
    m = x.shape[0]
    shift_out = np.full(m, np.nan)
    s1_out = np.full(m, np.nan)
    m2_out = np.full(m, np.nan)
    buf = np.zeros(n)
    idx = 0
    count = 0
    k = 0.0
    s1 = 0.0
    s2 = 0.0
    m2 = 0.0
    peak = 0.0
    for t in range(m):
        xv = x[t]
        old = buf[idx]
        buf[idx] = xv
        idx += 1
        if idx == n:
            idx = 0
        if count < n:
            count += 1
            if count < n:
                continue
            k, s1, s2, m2 = _moments_exact_nb(buf, n)
            peak = s2
        else:
            a = xv - k
            b = old - k
            s1_new = s1 + (a - b)
            s2_new = s2 + (a - b) * (a + b)
            m2_new = s2_new - s1_new * s1_new / n
            if idx == 0 or m2_new < peak * COLLAPSE:
                k, s1, s2, m2 = _moments_exact_nb(buf, n)
                peak = s2
            else:
                s1 = s1_new
                s2 = s2_new
                m2 = m2_new
                if s2 > peak:
                    peak = s2
        shift_out[t] = k
        s1_out[t] = s1
        m2_out[t] = m2
    return shift_out, s1_out, m2_out
