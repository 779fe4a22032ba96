"""The interface every incremental indicator implements.

Incremental indicators are fed one observation at a time on the engine's hot path. The base
classes therefore hold only what every indicator shares (``value``, ``warmup`` and the error
path); each concrete ``update`` is written out flat, without helper calls, because a Python
method call costs about as much as the arithmetic of a moving average.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import NoReturn

from quantrail.core.bar import Bar

__all__ = ["Indicator", "PriceIndicator"]


class Indicator(ABC):
    """Base of all incremental indicators.

    Attributes
    ----------
    value : float
        The latest output; ``math.nan`` until the indicator is warm.
    warmup : int
        Number of inputs consumed before the first non-NaN output. It equals TA-Lib's lookback
        for the same indicator, i.e. the index of the first defined value in a batch result.

    Notes
    -----
    Non-finite inputs raise ``ValueError`` before any state is touched, so one bad tick cannot
    leave a NaN inside a running sum where it would poison every later output.
    """

    __slots__ = ("_label", "value", "warmup")

    _label: str
    value: float
    warmup: int

    @property
    def ready(self) -> bool:
        """Whether ``value`` holds a real output (the warm-up is over)."""
        return self.value == self.value  # NaN is the only float unequal to itself

    @abstractmethod
    def update_bar(self, bar: Bar) -> float:
        """Consume one bar and return the new ``value`` (NaN while warming up).

        Parameters
        ----------
        bar : Bar
            The completed bar; which fields are read depends on the indicator.

        Returns
        -------
        float
            The new ``value``.
        """

    @abstractmethod
    def reset(self) -> None:
        """Forget all inputs; the indicator warms up again from scratch."""

    def __repr__(self) -> str:
        return self._label

    def _reject(self, what: str, x: object) -> NoReturn:
        raise ValueError(f"{self._label}: {what} must be finite, got {x!r}")


class PriceIndicator(Indicator):
    """An indicator of a single price series; bars feed it their ``close``."""

    __slots__ = ()

    @abstractmethod
    def update(self, x: float) -> float:
        """Consume one observation and return the new ``value`` (NaN while warming up).

        Parameters
        ----------
        x : float
            The observation; must be finite.

        Returns
        -------
        float
            The new ``value``.

        Raises
        ------
        ValueError
            If ``x`` is NaN or infinite. State is left unchanged.
        """

    def update_bar(self, bar: Bar) -> float:
        """Feed ``bar.close`` to :meth:`update`.

        Parameters
        ----------
        bar : Bar
            The completed bar.

        Returns
        -------
        float
            The new ``value``.
        """
        return self.update(bar.close)
