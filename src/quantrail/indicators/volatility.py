"""Volatility indicators: ATR, Bollinger Bands and rolling return volatility."""

from __future__ import annotations

import math

from quantrail.core.bar import Bar
from quantrail.indicators._checks import check_period, check_positive
from quantrail.indicators._window import WindowMoments
from quantrail.indicators.base import Indicator

__all__ = ["ATR", "Bollinger", "RollingVolatility"]

_NAN = math.nan
_sqrt = math.sqrt


class ATR(Indicator):
    """Average true range with Wilder smoothing, as ``talib.ATR``.

    Parameters
    ----------
    period : int, default 14
        Smoothing period, >= 1.

    Notes
    -----
    ``TR = max(high - low, |high - prev_close|, |low - prev_close|)`` exists from the second
    bar on. The first ATR is the mean of the first ``period`` true ranges, then
    ``atr = (atr * (period - 1) + TR) / period``. ``warmup = period`` (TA-Lib's lookback).
    """

    __slots__ = ("_count", "_nm1", "_period", "_prev_close", "_sum")

    _count: int
    _nm1: float
    _period: int
    _prev_close: float
    _sum: float

    def __init__(self, period: int = 14) -> None:
        self._period = check_period("ATR", "period", period)
        self._label = f"ATR(period={self._period})"
        self._nm1 = float(self._period - 1)
        self.warmup = self._period
        self.reset()

    @property
    def period(self) -> int:
        """Smoothing period."""
        return self._period

    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""
        self._prev_close = _NAN
        self._count = 0
        self._sum = 0.0
        self.value = _NAN

    def update_hlc(self, high: float, low: float, close: float) -> float:
        """Consume one bar's high, low and close and return the ATR.

        Parameters
        ----------
        high, low, close : float
            The bar's prices; must be finite.

        Returns
        -------
        float
            The new ATR, NaN for the first ``warmup`` bars.

        Raises
        ------
        ValueError
            If any input is NaN or infinite. State is left unchanged.
        """
        if high - high != 0.0:  # NaN or +/-inf
            self._reject("high", high)
        if low - low != 0.0:
            self._reject("low", low)
        if close - close != 0.0:
            self._reject("close", close)
        pc = self._prev_close
        self._prev_close = close
        if pc != pc:
            return _NAN
        tr = high - low
        d = pc - high
        if d < 0.0:
            d = -d
        if d > tr:
            tr = d
        d = low - pc
        if d < 0.0:
            d = -d
        if d > tr:
            tr = d
        v = self.value
        if v == v:
            v = (v * self._nm1 + tr) / self._period
            self.value = v
            return v
        s = self._sum + tr
        c = self._count + 1
        self._sum = s
        self._count = c
        if c < self._period:
            return _NAN
        v = s / self._period
        self.value = v
        return v

    def update_bar(self, bar: Bar) -> float:
        """Feed ``bar.high``, ``bar.low`` and ``bar.close`` to :meth:`update_hlc`."""
        return self.update_hlc(bar.high, bar.low, bar.close)


class Bollinger(WindowMoments):
    """Bollinger Bands: SMA ± ``k`` population standard deviations, as ``talib.BBANDS``.

    Parameters
    ----------
    period : int, default 20
        Window length, >= 2.
    k : float, default 2.0
        Band width in standard deviations, > 0 (TA-Lib's ``nbdevup = nbdevdn = k``).

    Attributes
    ----------
    value : float
        The middle band (also available as :attr:`middle`).
    upper, lower : float
        ``middle ± k * std`` with ``std`` over the window, ``ddof=0``.

    Notes
    -----
    ``warmup = period - 1``. The variance comes from shifted rolling sums with periodic exact
    recomputation (see ``_window``) rather than TA-Lib's running ``sum(x**2)``; the two agree
    to ~1e-13 on ordinary prices.
    """

    __slots__ = ("_k", "lower", "upper")

    _k: float
    lower: float
    upper: float

    def __init__(self, period: int = 20, k: float = 2.0) -> None:
        n = check_period("Bollinger", "period", period, 2)
        self._k = check_positive("Bollinger", "k", k)
        self._label = f"Bollinger(period={n}, k={self._k!r})"
        self.warmup = n - 1
        self._init_window(n)
        self._clear_bands()

    @property
    def period(self) -> int:
        """Window length."""
        return self._n

    @property
    def k(self) -> float:
        """Band width in standard deviations."""
        return self._k

    @property
    def middle(self) -> float:
        """The middle band (same as ``value``)."""
        return self.value

    def _clear_bands(self) -> None:
        self.value = _NAN
        self.upper = _NAN
        self.lower = _NAN

    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""
        self._reset_window()
        self._clear_bands()

    def update(self, x: float) -> float:
        """Consume one price and return the middle band (NaN for ``warmup`` inputs)."""
        if x - x != 0.0:  # NaN or +/-inf
            self._reject("input", x)
        if not self._push(x):
            return _NAN
        n = self._n
        mean = self._shift + self._s1 / n
        band = self._k * _sqrt(self._m2 / n)
        self.upper = mean + band
        self.lower = mean - band
        self.value = mean
        return mean


class RollingVolatility(WindowMoments):
    """Standard deviation (``ddof=1``) of the last ``period`` simple returns.

    Parameters
    ----------
    period : int
        Number of returns in the window, >= 2.
    annualization : float, default 1.0
        Periods per year; the result is scaled by ``sqrt(annualization)`` (252 for daily bars).

    Notes
    -----
    Returns are ``x / prev - 1``, so inputs must be non-zero. ``warmup = period``: the first
    output needs ``period`` returns, i.e. ``period + 1`` prices. Equals pandas'
    ``(s / s.shift() - 1).rolling(period).std() * sqrt(annualization)``.
    """

    __slots__ = ("_annualization", "_nm1", "_prev", "_scale")

    _annualization: float
    _nm1: float
    _prev: float
    _scale: float

    def __init__(self, period: int, annualization: float = 1.0) -> None:
        n = check_period("RollingVolatility", "period", period, 2)
        self._annualization = check_positive("RollingVolatility", "annualization", annualization)
        self._scale = _sqrt(self._annualization)
        self._nm1 = float(n - 1)
        self._label = f"RollingVolatility(period={n}, annualization={self._annualization!r})"
        self.warmup = n
        self._init_window(n)
        self._prev = _NAN
        self.value = _NAN

    @property
    def period(self) -> int:
        """Number of returns in the window."""
        return self._n

    @property
    def annualization(self) -> float:
        """Periods per year used to scale the result."""
        return self._annualization

    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""
        self._reset_window()
        self._prev = _NAN
        self.value = _NAN

    def update(self, x: float) -> float:
        """Consume one price and return the volatility (NaN for ``warmup`` inputs)."""
        if x - x != 0.0:  # NaN or +/-inf
            self._reject("input", x)
        if x == 0.0:
            raise ValueError(
                f"{self._label}: input must be non-zero (returns divide by it), got {x!r}"
            )
        prev = self._prev
        self._prev = x
        if prev != prev:
            return _NAN
        if not self._push(x / prev - 1.0):
            return _NAN
        v = _sqrt(self._m2 / self._nm1) * self._scale
        self.value = v
        return v
