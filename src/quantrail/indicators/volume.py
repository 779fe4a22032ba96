"""Volume indicators: on-balance volume."""

from __future__ import annotations

import math

from quantrail.core.bar import Bar
from quantrail.indicators.base import Indicator

__all__ = ["OBV"]

_NAN = math.nan


class OBV(Indicator):
    """On-balance volume, as ``talib.OBV``.

    Notes
    -----
    Starts at the first bar's volume (TA-Lib's convention, rather than at zero), then adds the
    volume when the close rises, subtracts it when the close falls and keeps it when the close
    is unchanged. ``warmup = 0``: the first input already produces a value.
    """

    __slots__ = ("_prev",)

    _prev: float

    def __init__(self) -> None:
        self._label = "OBV()"
        self.warmup = 0
        self.reset()

    def reset(self) -> None:
        """Forget all inputs."""
        self._prev = _NAN
        self.value = _NAN

    def update_cv(self, close: float, volume: float) -> float:
        """Consume one close and its volume and return the new OBV.

        Parameters
        ----------
        close : float
            Closing price; must be finite.
        volume : float
            Volume traded in the bar; must be finite.

        Returns
        -------
        float
            The new OBV.

        Raises
        ------
        ValueError
            If either input is NaN or infinite. State is left unchanged.
        """
        if close - close != 0.0:  # NaN or +/-inf
            self._reject("close", close)
        if volume - volume != 0.0:
            self._reject("volume", volume)
        prev = self._prev
        self._prev = close
        if prev != prev:
            v = float(volume)
        elif close > prev:
            v = self.value + volume
        elif close < prev:
            v = self.value - volume
        else:
            return self.value
        self.value = v
        return v

    def update_bar(self, bar: Bar) -> float:
        """Feed ``bar.close`` and ``bar.volume`` to :meth:`update_cv`."""
        return self.update_cv(bar.close, bar.volume)
