"""The vectorized fast path: the built-in strategies as numba kernels with the engine's costs.

Each kernel simulates many parameter sets at once (``prange`` over them, so every core is used)
with the event engine's conventions: market orders fill at the next bar's open (or close),
stops first with the gap-at-open rule, half spread from ``spread_bps`` or quotes, slippage from
the same trailing sigma, tick rounding against the trader, commission per order. What it
cannot reproduce exactly (a volume cap, latency, risk limits, several symbols, corporate
actions, custom strategies) it refuses with :class:`FastPathUnsupported` naming the field.
See docs/research.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from quantrail.engine.config import RunConfig
from quantrail.engine.run import build_strategy
from quantrail.research.fast.batch import FastBatch, FastResult, run_plan
from quantrail.research.fast.market import (
    FAST_STRATEGIES,
    FastPathUnsupported,
    Market,
    check_fast_support,
    inert_risk,
    load_market,
    unsupported_reason,
)
from quantrail.research.fast.plan import Plan
from quantrail.strategy.base import StrategyParams

__all__ = [
    "FAST_STRATEGIES",
    "FastBatch",
    "FastPathUnsupported",
    "FastResult",
    "Market",
    "check_fast_support",
    "fast_backtest",
    "inert_risk",
    "load_market",
    "run_fast",
    "strategy_params",
    "unsupported_reason",
    "with_params",
]


def _planner(name: str) -> Callable[[Market, Sequence[Any]], Plan]:
    # Imported on demand: each module compiles (or loads from numba's cache) its own kernel.
    if name == "sma_cross":
        from quantrail.research.fast import sma_cross

        return sma_cross.plan
    if name == "rsi_reversion":
        from quantrail.research.fast import rsi_reversion

        return rsi_reversion.plan
    if name == "zscore_reversion":
        from quantrail.research.fast import zscore_reversion

        return zscore_reversion.plan
    if name == "breakout":
        from quantrail.research.fast import breakout

        return breakout.plan
    raise FastPathUnsupported(f"no fast kernel for {name!r}", path="strategy.name")


def with_params(config: RunConfig, overrides: dict[str, Any]) -> RunConfig:
    """``config`` with ``overrides`` merged into its strategy parameters (not validated)."""
    strategy = config.strategy.model_copy(
        update={"params": {**config.strategy.params, **overrides}}
    )
    return config.model_copy(update={"strategy": strategy})


def strategy_params(config: RunConfig, overrides: dict[str, Any] | None = None) -> StrategyParams:
    """Validate ``config.strategy.params`` updated with ``overrides`` into the Params model.

    Raises
    ------
    ConfigError
        With the path of the first invalid parameter, exactly as ``run_backtest`` reports it
        (the validation is the engine's ``build_strategy``).
    """
    params: StrategyParams = build_strategy(with_params(config, overrides or {})).params
    return params


def run_fast(
    market: Market,
    strategy: str,
    params: Sequence[StrategyParams],
) -> FastBatch:
    """Simulate ``strategy`` for every parameter set on ``market`` in one parallel kernel call.

    Parameters
    ----------
    market : Market
        From :func:`load_market`.
    strategy : str
        A name in ``FAST_STRATEGIES``.
    params : sequence of StrategyParams
        Validated parameter sets (:func:`strategy_params`).

    Returns
    -------
    FastBatch
        Per set: fills and final account; ``result(i)`` adds equity, trades and metrics.
    """
    if not params:
        raise ValueError("run_fast needs at least one parameter set")
    plan = _planner(strategy)(market, params)
    return run_plan(plan, market, params)


def fast_backtest(config: RunConfig, *, base_dir: Path | None = None) -> FastResult:
    """Run ``config`` on the fast path; the same fills, equity and metrics as ``run_backtest``.

    Raises
    ------
    FastPathUnsupported
        The config needs the event engine; the message names the field.
    """
    market = load_market(config, base_dir)
    params = strategy_params(config)
    return run_fast(market, config.strategy.name, [params]).result(0)
