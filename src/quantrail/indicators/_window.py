"""Rolling mean and sum of squared deviations over a fixed window, in O(1) per update.

Shared by Bollinger, ZScore and RollingVolatility. The same algorithm, operation for
operation, is compiled in ``_kernels.rolling_moments_nb`` so the vectorized twins agree with
the incremental classes to the last bit rather than merely to a tolerance.

Numerics
--------
* The window is updated with the sliding form of Welford's recurrence, whose rounding error
  scales with the spread of the data, not with its level (``sum(x**2) - n*mean**2`` loses
  every digit on a price of 1e8 moving by 1e-7).
* When ``m2`` collapses below ``COLLAPSE`` times its peak since the last exact recompute,
  the error carried from the larger values now gone dominates, so ``m2`` is recomputed exactly
  (two passes over the buffer). The same recompute runs once per lap of the ring buffer so
  drift cannot accumulate without bound. Both keep the amortized cost O(1).
* A window of identical values gets ``mean = x`` and ``m2 = 0`` exactly: rounding would
  otherwise leave a ~1e-17 "deviation" that turns a z-score of a flat market into noise.
"""

from __future__ import annotations

import math

from quantrail.indicators.base import PriceIndicator

__all__ = ["COLLAPSE", "WindowMoments"]

COLLAPSE = 1e-4
"""Recompute exactly when ``m2`` falls below this fraction of its recent peak."""


class WindowMoments(PriceIndicator):
    """Base for indicators built on the rolling mean and variance of their input."""

    __slots__ = ("_buf", "_count", "_idx", "_last", "_m2", "_mean", "_n", "_peak", "_run")

    _buf: list[float]
    _count: int
    _idx: int
    _last: float
    _m2: float
    _mean: float
    _n: int
    _peak: float
    _run: int

    def _init_window(self, n: int) -> None:
        self._n = n
        self._buf = [0.0] * n
        self._reset_window()

    def _reset_window(self) -> None:
        self._buf[:] = [0.0] * self._n
        self._idx = 0
        self._count = 0
        self._last = math.nan
        self._run = 0
        self._mean = 0.0
        self._m2 = 0.0
        self._peak = 0.0

    def _push(self, x: float) -> bool:
        """Slide ``x`` into the window; True once ``_mean``/``_m2`` describe a full window."""
        n = self._n
        buf = self._buf
        i = self._idx
        old = buf[i]
        buf[i] = x
        i += 1
        if i == n:
            i = 0
        self._idx = i
        if x == self._last:
            run = self._run + 1
        else:
            run = 1
            self._last = x
        self._run = run
        if run >= n:
            self._count = n
            self._mean = x
            self._m2 = 0.0
            self._peak = 0.0
            return True
        if self._count < n:
            c = self._count + 1
            self._count = c
            if c < n:
                return False
            self._resync()
            return True
        mean = self._mean
        d = x - old
        mean_new = mean + d / n
        m2 = self._m2 + d * ((x - mean_new) + (old - mean))
        if i == 0 or m2 < self._peak * COLLAPSE:
            self._resync()
        else:
            self._mean = mean_new
            self._m2 = m2
            if m2 > self._peak:
                self._peak = m2
        return True

    def _resync(self) -> None:
        buf = self._buf
        total = 0.0
        for v in buf:
            total += v
        mean = total / self._n
        m2 = 0.0
        for v in buf:
            d = v - mean
            m2 += d * d
        self._mean = mean
        self._m2 = m2
        self._peak = m2
