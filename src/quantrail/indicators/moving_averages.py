"""Moving averages: SMA, EMA and MACD, matching TA-Lib's seeding conventions."""

from __future__ import annotations

import math

from quantrail.indicators._checks import check_period
from quantrail.indicators.base import PriceIndicator

__all__ = ["EMA", "MACD", "SMA"]

_NAN = math.nan


class SMA(PriceIndicator):
    """Simple moving average of the last ``period`` inputs.

    Parameters
    ----------
    period : int
        Window length, >= 1.

    Notes
    -----
    ``warmup = period - 1`` (TA-Lib ``SMA`` lookback). The window sum is kept as a running
    sum and re-added from the ring buffer once per lap, so cancellation error left by a large
    value leaving the window is wiped out within ``period`` updates at O(1) amortized cost.

    Examples
    --------
    >>> sma = SMA(3)
    >>> [sma.update(x) for x in (1.0, 2.0, 3.0, 4.0)]
    [nan, nan, 2.0, 3.0]
    """

    __slots__ = ("_buf", "_count", "_idx", "_period", "_total")

    _buf: list[float]
    _count: int
    _idx: int
    _period: int
    _total: float

    def __init__(self, period: int) -> None:
        self._period = check_period("SMA", "period", period)
        self._label = f"SMA(period={self._period})"
        self.warmup = self._period - 1
        self._buf = [0.0] * self._period
        self.reset()

    @property
    def period(self) -> int:
        """Window length."""
        return self._period

    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""
        self._buf[:] = [0.0] * self._period
        self._idx = 0
        self._count = 0
        self._total = 0.0
        self.value = _NAN

    def update(self, x: float) -> float:
        """Consume one observation and return the SMA (NaN for the first ``warmup`` inputs)."""
        if x - x != 0.0:  # true only for NaN and +/-inf, and cheaper than math.isfinite
            self._reject("input", x)
        buf = self._buf
        i = self._idx
        total = self._total + (x - buf[i])  # zero-filled buffer makes warm-up the same code
        buf[i] = x
        i += 1
        if i == self._period:
            i = 0
            total = 0.0
            for v in buf:
                total += v
        self._idx = i
        self._total = total
        if self._count < self.warmup:
            self._count += 1
            return _NAN
        v = total / self._period
        self.value = v
        return v


class EMA(PriceIndicator):
    """Exponential moving average with ``alpha = 2 / (period + 1)``.

    Parameters
    ----------
    period : int
        Span, >= 1.

    Notes
    -----
    Seeded like TA-Lib (default compatibility): the first output is the SMA of the first
    ``period`` inputs, then ``ema += alpha * (x - ema)``. ``warmup = period - 1``.
    """

    __slots__ = ("_alpha", "_count", "_period", "_sum")

    _alpha: float
    _count: int
    _period: int
    _sum: float

    def __init__(self, period: int) -> None:
        self._period = check_period("EMA", "period", period)
        self._label = f"EMA(period={self._period})"
        self._alpha = 2.0 / (self._period + 1)
        self.warmup = self._period - 1
        self.reset()

    @property
    def period(self) -> int:
        """Span used for ``alpha``."""
        return self._period

    @property
    def alpha(self) -> float:
        """Smoothing factor ``2 / (period + 1)``."""
        return self._alpha

    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""
        self._count = 0
        self._sum = 0.0
        self.value = _NAN

    def update(self, x: float) -> float:
        """Consume one observation and return the EMA (NaN for the first ``warmup`` inputs)."""
        if x - x != 0.0:  # NaN or +/-inf
            self._reject("input", x)
        v = self.value
        if v == v:
            # TA-Lib's operation order, so results agree bit for bit rather than to 1 ulp.
            v = (x - v) * self._alpha + v
            self.value = v
            return v
        s = self._sum + x
        c = self._count + 1
        self._sum = s
        self._count = c
        if c < self._period:
            return _NAN
        v = s / self._period
        self.value = v
        return v


class MACD(PriceIndicator):
    """Moving average convergence/divergence with TA-Lib's conventions.

    Parameters
    ----------
    fast : int, default 12
        Fast EMA span, >= 1.
    slow : int, default 26
        Slow EMA span, > ``fast``.
    signal : int, default 9
        Signal EMA span over the MACD line, >= 1.

    Attributes
    ----------
    value : float
        The MACD line, ``EMA_fast - EMA_slow`` (also available as :attr:`macd`).
    signal : float
        EMA of the MACD line.
    hist : float
        ``macd - signal``.

    Notes
    -----
    Matches ``talib.MACD``: both EMAs start at input ``slow - 1``; the slow one is seeded with
    the SMA of inputs ``0 .. slow-1`` and the fast one with the SMA of the *last* ``fast`` of
    those (inputs ``slow-fast .. slow-1``), not of the first ``fast`` inputs. The signal EMA is
    seeded with the SMA of the first ``signal`` MACD values. All three outputs stay NaN until
    the signal exists: ``warmup = slow + signal - 2`` (33 for 12/26/9).
    """

    __slots__ = (
        "_buf",
        "_count",
        "_fast",
        "_fast_ema",
        "_k_fast",
        "_k_signal",
        "_k_slow",
        "_sig_count",
        "_sig_sum",
        "_signal_period",
        "_slow",
        "_slow_ema",
        "hist",
        "signal",
    )

    _buf: list[float]
    _count: int
    _fast: int
    _fast_ema: float
    _k_fast: float
    _k_signal: float
    _k_slow: float
    _sig_count: int
    _sig_sum: float
    _signal_period: int
    _slow: int
    _slow_ema: float
    hist: float
    signal: float

    def __init__(self, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        self._fast = check_period("MACD", "fast", fast)
        self._slow = check_period("MACD", "slow", slow, 2)
        self._signal_period = check_period("MACD", "signal", signal)
        if self._fast >= self._slow:
            # TA-Lib silently swaps the two; a swapped config is a bug worth surfacing.
            raise ValueError(f"MACD: fast must be < slow, got fast={self._fast}, slow={self._slow}")
        self._label = f"MACD(fast={self._fast}, slow={self._slow}, signal={self._signal_period})"
        self._k_fast = 2.0 / (self._fast + 1)
        self._k_slow = 2.0 / (self._slow + 1)
        self._k_signal = 2.0 / (self._signal_period + 1)
        self.warmup = self._slow + self._signal_period - 2
        self._buf = [0.0] * self._slow
        self.reset()

    @property
    def macd(self) -> float:
        """The MACD line (same as ``value``)."""
        return self.value

    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""
        self._count = 0
        self._fast_ema = _NAN
        self._slow_ema = _NAN
        self._sig_count = 0
        self._sig_sum = 0.0
        self.value = _NAN
        self.signal = _NAN
        self.hist = _NAN

    def update(self, x: float) -> float:
        """Consume one observation and return the MACD line (NaN until ``warmup`` inputs)."""
        if x - x != 0.0:  # NaN or +/-inf
            self._reject("input", x)
        fe = self._fast_ema
        if fe != fe:
            return self._seed_emas(x)
        se = self._slow_ema
        fe = (x - fe) * self._k_fast + fe
        se = (x - se) * self._k_slow + se
        self._fast_ema = fe
        self._slow_ema = se
        m = fe - se
        sig = self.signal
        if sig != sig:
            return self._seed_signal(m)
        sig = (m - sig) * self._k_signal + sig
        self.signal = sig
        self.hist = m - sig
        self.value = m
        return m

    def _seed_emas(self, x: float) -> float:
        c = self._count
        buf = self._buf
        buf[c] = x
        c += 1
        self._count = c
        if c < self._slow:
            return _NAN
        # Plain left-to-right sums, as TA-Lib does, so the seeds agree bit for bit.
        total = 0.0
        for v in buf:
            total += v
        self._slow_ema = total / self._slow
        total = 0.0
        for j in range(self._slow - self._fast, self._slow):
            total += buf[j]
        self._fast_ema = total / self._fast
        return self._seed_signal(self._fast_ema - self._slow_ema)

    def _seed_signal(self, m: float) -> float:
        s = self._sig_sum + m
        c = self._sig_count + 1
        self._sig_sum = s
        self._sig_count = c
        if c < self._signal_period:
            return _NAN
        sig = s / self._signal_period
        self.signal = sig
        self.hist = m - sig
        self.value = m
        return m
