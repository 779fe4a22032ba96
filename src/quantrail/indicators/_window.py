"""Rolling mean and sum of squared deviations over a fixed window, in O(1) per update.

Shared by Bollinger, ZScore and RollingVolatility. ``_kernels.rolling_moments_nb`` repeats
this arithmetic operation for operation, so the vectorized twins agree with the incremental
classes to the last bit rather than merely to a tolerance.

Numerics
--------
* Sums are kept of ``x - shift`` and ``(x - shift)**2``, with ``shift`` reset to the window
  mean at every exact recompute. Rounding error then scales with the spread of the data, not
  its level: on a price of 1e4 moving by 1e-4 the z-score stays within ~1e-11 of an exact
  two-pass computation, where pandas' rolling std is off by ~1e-4 (and the classic
  ``sum(x**2) - n*mean**2`` loses every digit).
* Everything is recomputed exactly from the ring buffer once per lap of the buffer, and
  immediately whenever ``m2`` falls below ``COLLAPSE`` times the peak of the squared sum
  since the last recompute: that is when error carried from values now gone (a bad tick that
  left the window, or a shift grown stale) would dominate. Both keep O(1) amortized cost.
* A window of identical values ends up with ``m2 == 0`` and ``mean == x`` exactly, which a
  z-score of a flat market needs (a ~1e-17 "deviation" would turn it into noise): its exact
  recompute (forced by the collapse rule when the last differing value leaves) sees
  deviations from ``shift`` that are small multiples of one ulp, so every sum is exact.
"""

from __future__ import annotations

from quantrail.indicators.base import PriceIndicator

__all__ = ["COLLAPSE", "WindowMoments"]

COLLAPSE = 1e-4
"""Recompute exactly when ``m2`` falls below this fraction of the recent peak sum."""


class WindowMoments(PriceIndicator):
    """Base for indicators built on the rolling mean and variance of their input.

    After ``_push`` returns True: ``mean = _shift + _s1 / _n`` and ``_m2`` is the sum of
    squared deviations from it (``>= 0``).
    """

    __slots__ = (
        "_buf",
        "_count",
        "_idx",
        "_m2",
        "_n",
        "_peak",
        "_s1",
        "_s2",
        "_shift",
    )

    _buf: list[float]
    _count: int
    _idx: int
    _m2: float
    _n: int
    _peak: float
    _s1: float
    _s2: float
    _shift: float

    def _init_window(self, n: int) -> None:
        self._n = n
        self._buf = [0.0] * n
        self._reset_window()

    def _reset_window(self) -> None:
        self._buf[:] = [0.0] * self._n
        self._idx = 0
        self._count = 0
        self._shift = 0.0
        self._s1 = 0.0
        self._s2 = 0.0
        self._m2 = 0.0
        self._peak = 0.0

    def _push(self, x: float) -> bool:
        """Slide ``x`` into the window; True once the moments describe a full window."""
        n = self._n
        buf = self._buf
        i = self._idx
        old = buf[i]
        buf[i] = x
        i += 1
        if i == n:
            i = 0
        self._idx = i
        if self._count < n:
            c = self._count + 1
            self._count = c
            if c < n:
                return False
            self._resync()
            return True
        k = self._shift
        a = x - k
        b = old - k
        s1 = self._s1 + (a - b)
        s2 = self._s2 + (a - b) * (a + b)
        m2 = s2 - s1 * s1 / n
        if i == 0 or m2 < self._peak * COLLAPSE:
            self._resync()
        else:
            self._s1 = s1
            self._s2 = s2
            self._m2 = m2
            if s2 > self._peak:
                self._peak = s2
        return True

    def _resync(self) -> None:
        buf = self._buf
        n = self._n
        total = 0.0
        for v in buf:
            total += v
        k = total / n
        s1 = 0.0
        s2 = 0.0
        for v in buf:
            d = v - k
            s1 += d
            s2 += d * d
        m2 = s2 - s1 * s1 / n
        self._shift = k
        self._s1 = s1
        self._s2 = s2
        self._m2 = m2 if m2 > 0.0 else 0.0
        self._peak = s2
