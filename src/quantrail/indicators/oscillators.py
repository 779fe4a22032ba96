"""Oscillators: Wilder's RSI and the rolling z-score."""

from __future__ import annotations

import math

from quantrail.indicators._checks import check_period
from quantrail.indicators._window import WindowMoments
from quantrail.indicators.base import PriceIndicator

__all__ = ["RSI", "ZScore"]

_NAN = math.nan
_sqrt = math.sqrt


class RSI(PriceIndicator):
    """Relative strength index with Wilder smoothing, as ``talib.RSI``.

    Parameters
    ----------
    period : int, default 14
        Smoothing period, >= 2 (TA-Lib's minimum; at 1 TA-Lib returns the input unchanged).

    Notes
    -----
    The first ``period`` price changes are averaged (gains and losses separately); after that
    ``avg = (avg * (period - 1) + change) / period``. ``RSI = 100 * gain / (gain + loss)``,
    which is ``0.0`` when both averages are exactly zero (a perfectly flat start), as TA-Lib.
    ``warmup = period``: the first output needs ``period`` changes, i.e. ``period + 1`` prices.
    """

    __slots__ = ("_count", "_gain", "_loss", "_nm1", "_period", "_prev")

    _count: int
    _gain: float
    _loss: float
    _nm1: float
    _period: int
    _prev: float

    def __init__(self, period: int = 14) -> None:
        self._period = check_period("RSI", "period", period, 2)
        self._label = f"RSI(period={self._period})"
        self._nm1 = float(self._period - 1)
        self.warmup = self._period
        self.reset()

    @property
    def period(self) -> int:
        """Smoothing period."""
        return self._period

    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""
        self._prev = _NAN
        self._count = 0
        self._gain = 0.0
        self._loss = 0.0
        self.value = _NAN

    def update(self, x: float) -> float:
        """Consume one price and return the RSI (NaN for the first ``warmup`` inputs)."""
        if x - x != 0.0:  # NaN or +/-inf
            self._reject("input", x)
        prev = self._prev
        self._prev = x
        if prev != prev:
            return _NAN
        d = x - prev
        n = self._period
        if self._count >= n:
            gain = self._gain * self._nm1
            loss = self._loss * self._nm1
            if d < 0.0:
                loss -= d
            else:
                gain += d
            gain /= n
            loss /= n
        else:
            gain = self._gain
            loss = self._loss
            if d < 0.0:
                loss -= d
            else:
                gain += d
            c = self._count + 1
            self._count = c
            if c < n:
                self._gain = gain
                self._loss = loss
                return _NAN
            gain /= n
            loss /= n
        self._gain = gain
        self._loss = loss
        s = gain + loss
        v = 100.0 * (gain / s) if s != 0.0 else 0.0
        self.value = v
        return v


class ZScore(WindowMoments):
    """Rolling z-score ``(x - mean) / std`` of the input over the last ``period`` inputs.

    Parameters
    ----------
    period : int
        Window length including the current input, >= 2.

    Notes
    -----
    ``std`` is the population standard deviation (``ddof=0``), the same one Bollinger uses, so
    ``z = k * (x - middle) / (upper - middle)`` for ``Bollinger(period, k)``. When the window's
    standard deviation is exactly zero (all values equal) the z-score is ``0.0`` rather than
    ``0/0``: the input sits exactly at the mean. ``warmup = period - 1``.
    """

    __slots__ = ()

    def __init__(self, period: int) -> None:
        n = check_period("ZScore", "period", period, 2)
        self._label = f"ZScore(period={n})"
        self.warmup = n - 1
        self._init_window(n)
        self.value = _NAN

    @property
    def period(self) -> int:
        """Window length."""
        return self._n

    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""
        self._reset_window()
        self.value = _NAN

    def update(self, x: float) -> float:
        """Consume one observation and return its z-score (NaN for ``warmup`` inputs)."""
        if x - x != 0.0:  # NaN or +/-inf
            self._reject("input", x)
        if not self._push(x):
            return _NAN
        n = self._n
        sd = _sqrt(self._m2 / n)
        # Deviation from the shift, not from a rounded mean: keeps digits below ulp(mean).
        z = ((x - self._shift) - self._s1 / n) / sd if sd > 0.0 else 0.0
        self.value = z
        return z
