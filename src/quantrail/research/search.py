"""Objectives, and the optuna side of the Bayesian searches (TPE, NSGA-II).

Optuna is driven through ask-and-tell: the sweep asks for a batch of parameter sets, evaluates
them wherever it evaluates trials, and tells the results back. The samplers are seeded, and a
batch's results are told in trial order, so a search is reproducible from its seed, its batch
size and its trial log.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import TrialState

from quantrail.analytics import METRIC_KEYS
from quantrail.core.errors import ConfigError
from quantrail.research.grid import Axis
from quantrail.research.trials import TrialRecord

__all__ = [
    "Objective",
    "create_study",
    "distributions",
    "objective_values",
    "parse_objectives",
    "quiet_optuna",
    "restore_trials",
    "snap",
    "tell",
]

Direction = Literal["maximize", "minimize"]
# Metrics where less is better; every other metric is maximised (max_drawdown is negative,
# so maximising it prefers the shallower drawdown).
_LOWER_IS_BETTER = frozenset(
    {"annual_volatility", "max_drawdown_duration", "max_drawdown_duration_days", "turnover"}
)
OBJECTIVE_KEYS = (*METRIC_KEYS, "final_equity")
NSGA2_POPULATION = 16


@dataclass(frozen=True)
class Objective:
    """A metric to optimise and its direction."""

    name: str
    direction: Direction


def parse_objectives(specs: Sequence[str]) -> list[Objective]:
    """``["sharpe", "max_drawdown"]``, optionally ``name:max`` / ``name:min``.

    Raises
    ------
    ConfigError
        No objective, an unknown metric, an unknown direction or a repeated objective.
    """
    if not specs:
        raise ConfigError("give at least one objective, e.g. sharpe", path="objectives")
    out: list[Objective] = []
    for spec in specs:
        name, _, way = spec.strip().partition(":")
        if name not in OBJECTIVE_KEYS:
            raise ConfigError(
                f"unknown metric {name!r}; choose from {', '.join(OBJECTIVE_KEYS)}",
                path="objectives",
            )
        if way not in ("", "max", "min"):
            raise ConfigError(f"{spec!r}: direction must be max or min", path="objectives")
        lower = way == "min" or (not way and name in _LOWER_IS_BETTER)
        out.append(Objective(name, "minimize" if lower else "maximize"))
    if len({o.name for o in out}) != len(out):
        raise ConfigError("an objective is given twice", path="objectives")
    return out


def objective_values(
    metrics: dict[str, Any] | None, objectives: Sequence[Objective]
) -> list[float | None] | None:
    """The objectives' values from a trial's metrics (None where a metric is undefined)."""
    if metrics is None:
        return None
    values: list[float | None] = []
    for objective in objectives:
        value = metrics.get(objective.name)
        values.append(None if value is None else float(value))
    return values


def distributions(axes: Sequence[Axis]) -> dict[str, BaseDistribution]:
    """Optuna's view of the space: stepped ints and floats for ranges, categories for lists."""
    out: dict[str, BaseDistribution] = {}
    for axis in axes:
        if axis.kind == "int" and axis.low is not None and axis.high is not None:
            out[axis.name] = IntDistribution(
                int(axis.low), int(axis.high), step=int(axis.step or 1)
            )
        elif axis.kind == "float" and axis.low is not None and axis.high is not None:
            out[axis.name] = FloatDistribution(axis.low, axis.high, step=axis.step)
        else:
            out[axis.name] = CategoricalDistribution(list(axis.values))
    return out


def snap(axes: Sequence[Axis], params: dict[str, Any]) -> dict[str, Any]:
    """Replace each sampled number by the axis value it stands for (0.30000000000000004 -> 0.3),
    so the log holds the same decimals as a grid over the same axes."""
    out = dict(params)
    for axis in axes:
        if axis.kind == "float" and axis.name in out:
            out[axis.name] = min(axis.values, key=lambda v: abs(v - out[axis.name]))
    return out


@contextmanager
def quiet_optuna() -> Iterator[None]:
    """Silence optuna's per-trial INFO lines for the duration (the sweep reports progress)."""
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def create_study(method: str, objectives: Sequence[Objective], seed: int) -> optuna.Study:
    """A seeded in-memory study: TPE for one objective, NSGA-II for one or several.

    Raises
    ------
    ConfigError
        ``tpe`` with several objectives (use ``nsga2``), or an unknown method.
    """
    if method == "tpe":
        if len(objectives) != 1:
            raise ConfigError("tpe optimises one objective; use nsga2 for several", path="method")
        sampler: optuna.samplers.BaseSampler = optuna.samplers.TPESampler(seed=seed)
    elif method == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(population_size=NSGA2_POPULATION, seed=seed)
    else:
        raise ConfigError(f"unknown search method {method!r}", path="method")
    return optuna.create_study(directions=[o.direction for o in objectives], sampler=sampler)


def tell(study: optuna.Study, trial: optuna.Trial, record: TrialRecord) -> None:
    """Report a trial; one without every objective defined counts as failed for the sampler."""
    values = record.values
    if record.state == "complete" and values is not None and all(v is not None for v in values):
        study.tell(trial, [float(v) for v in values if v is not None])
    else:
        study.tell(trial, state=TrialState.FAIL)


def restore_trials(
    study: optuna.Study, axes: Sequence[Axis], records: Sequence[TrialRecord]
) -> None:
    """Give a fresh study the trials of a resumed log, so the sampler learns from them."""
    space = distributions(axes)
    for record in records:
        values = record.values
        complete = (
            record.state == "complete" and values is not None and all(v is not None for v in values)
        )
        study.add_trial(
            optuna.trial.create_trial(
                params={k: record.params[k] for k in space},
                distributions=space,
                values=[float(v) for v in values if v is not None] if complete and values else None,
                state=TrialState.COMPLETE if complete else TrialState.FAIL,
            )
        )
