"""Find a strategy class by built-in name or ``package.module:ClassName``."""

from __future__ import annotations

import importlib

from quantrail.core.errors import ConfigError
from quantrail.strategy.base import Strategy

__all__ = ["BUILTIN_STRATEGIES", "resolve_strategy"]

BUILTIN_STRATEGIES: dict[str, str] = {
    "sma_cross": "quantrail.strategy.builtin.sma_cross:SmaCross",
    "rsi_reversion": "quantrail.strategy.builtin.rsi_reversion:RsiReversion",
    "zscore_reversion": "quantrail.strategy.builtin.zscore_reversion:ZScoreReversion",
    "breakout": "quantrail.strategy.builtin.breakout:Breakout",
}


def resolve_strategy(name: str) -> type[Strategy]:
    """Return the Strategy subclass named by ``name``.

    Raises ConfigError (path ``strategy.name``) when it cannot be imported or is not a Strategy.
    """
    target = BUILTIN_STRATEGIES.get(name, name)
    if ":" not in target:
        known = ", ".join(sorted(BUILTIN_STRATEGIES))
        raise ConfigError(
            f"unknown strategy {name!r}: use a built-in ({known}) or 'package.module:ClassName'",
            path="strategy.name",
        )
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"cannot import module {module_name!r}: {exc}", path="strategy.name"
        ) from exc
    found = getattr(module, class_name, None)
    if not (isinstance(found, type) and issubclass(found, Strategy)):
        raise ConfigError(f"{target!r} is not a quantrail Strategy subclass", path="strategy.name")
    return found
