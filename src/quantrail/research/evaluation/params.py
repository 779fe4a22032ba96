"""Strategy parameters: grids, validated variants of a config, and perturbations."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from pydantic import ValidationError

from quantrail.engine.config import RunConfig
from quantrail.strategy import resolve_strategy

__all__ = [
    "expand_grid",
    "parse_grid",
    "perturb",
    "strategy_params",
    "with_params",
]


def parse_grid(specs: Sequence[str]) -> dict[str, list[Any]]:
    """Parse ``["fast=5,10,20", "slow=50,100"]`` into ``{"fast": [5, 10, 20], ...}``.

    Each value is read as YAML, so ``10`` is an int, ``0.5`` a float and ``true`` a bool.
    """
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        name, sep, raw = spec.partition("=")
        name = name.strip()
        if not sep or not name or not raw.strip():
            raise ValueError(f"a grid entry is NAME=V1,V2,...; got {spec!r}")
        if name in grid:
            raise ValueError(f"parameter {name!r} is given twice")
        grid[name] = [yaml.safe_load(part.strip()) for part in raw.split(",") if part.strip()]
    return grid


def expand_grid(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, in order (the last name varies fastest)."""
    if not grid:
        return [{}]
    names = list(grid)
    for name in names:
        if len(grid[name]) == 0:
            raise ValueError(f"parameter {name!r} has no values")
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def strategy_params(config: RunConfig) -> dict[str, Any]:
    """The strategy's full parameters: the config's values over the ``Params`` defaults."""
    cls = resolve_strategy(config.strategy.name)
    dumped: dict[str, Any] = cls.Params.model_validate(config.strategy.params).model_dump()
    return dumped


def with_params(config: RunConfig, params: Mapping[str, Any]) -> RunConfig | None:
    """``config`` with ``params`` merged into its strategy parameters, or ``None`` if invalid.

    Validity is the strategy's own ``Params`` model (e.g. ``fast < slow`` for ``sma_cross``),
    so an impossible combination is skipped rather than run.
    """
    cls = resolve_strategy(config.strategy.name)
    merged = {**config.strategy.params, **params}
    try:
        cls.Params.model_validate(merged)
    except ValidationError:
        return None
    strategy = config.strategy.model_copy(update={"params": merged})
    return config.model_copy(update={"strategy": strategy})


def perturb(value: Any, delta: float) -> Any:
    """``value × (1 + delta)``; ints are rounded half away from zero; other types are ``None``.

    Booleans, text and ``None`` have no scale to perturb, so they return ``None``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    scaled = float(value) * (1.0 + delta)
    if isinstance(value, int):
        return int(math.copysign(math.floor(abs(scaled) + 0.5), scaled))
    return scaled
