"""Technical indicators: O(1) incremental classes and their vectorized twins.

The classes (``SMA``, ``EMA``, ...) are fed one observation at a time on the engine's hot
path; the functions (``sma``, ``ema``, ...) compute the same numbers over whole arrays for
research. Both match TA-Lib's conventions; see ``docs/indicators.md``.
"""

from typing import TYPE_CHECKING

from quantrail.indicators.base import Indicator, PriceIndicator
from quantrail.indicators.moving_averages import EMA, MACD, SMA
from quantrail.indicators.oscillators import RSI, ZScore
from quantrail.indicators.volatility import ATR, Bollinger, RollingVolatility
from quantrail.indicators.volume import OBV

if TYPE_CHECKING:
    from quantrail.indicators.vectorized import (
        atr,
        bollinger,
        ema,
        macd,
        obv,
        rolling_volatility,
        rsi,
        sma,
        zscore,
    )

_VECTORIZED = frozenset(
    ("atr", "bollinger", "ema", "macd", "obv", "rolling_volatility", "rsi", "sma", "zscore")
)


def __getattr__(name: str) -> object:
    # The vectorized twins need numba (~60 MB and a second of start-up); the event engine only
    # uses the incremental classes, so they load on first use.
    if name in _VECTORIZED:
        from quantrail.indicators import vectorized

        return getattr(vectorized, name)
    raise AttributeError(f"module 'quantrail.indicators' has no attribute {name!r}")


__all__ = [
    "ATR",
    "EMA",
    "MACD",
    "OBV",
    "RSI",
    "SMA",
    "Bollinger",
    "Indicator",
    "PriceIndicator",
    "RollingVolatility",
    "ZScore",
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
