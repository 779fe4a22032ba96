"""The Strategy API and the built-in strategies."""

from quantrail.strategy.base import NoParams, Strategy, StrategyParams
from quantrail.strategy.context import TradingContext
from quantrail.strategy.registry import BUILTIN_STRATEGIES, resolve_strategy

__all__ = [
    "BUILTIN_STRATEGIES",
    "NoParams",
    "Strategy",
    "StrategyParams",
    "TradingContext",
    "resolve_strategy",
]
