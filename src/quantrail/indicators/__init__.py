"""Technical indicators: O(1) incremental classes and their vectorized twins.

The classes (``SMA``, ``EMA``, ...) are fed one observation at a time on the engine's hot
path; the functions (``sma``, ``ema``, ...) compute the same numbers over whole arrays for
research. Both match TA-Lib's conventions; see ``docs/indicators.md``.
"""

from quantrail.indicators.base import Indicator, PriceIndicator
from quantrail.indicators.moving_averages import EMA, MACD, SMA
from quantrail.indicators.oscillators import RSI, ZScore
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
from quantrail.indicators.volatility import ATR, Bollinger, RollingVolatility
from quantrail.indicators.volume import OBV

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
