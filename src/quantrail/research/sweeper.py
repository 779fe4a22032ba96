"""Parameter sweeps: grid, random and Bayesian (TPE, NSGA-II) search over a strategy's params.

Every trial is logged (``trials.TrialLog``) as it finishes, with the engine that ran it, so an
interrupted sweep resumes where it stopped and the number of trials is on record. Trials run
on the fast path whenever it reproduces the config exactly, else on the event engine; locally
or on a Dask cluster (``evaluate.Runner``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from quantrail.core.errors import ConfigError
from quantrail.engine.config import RunConfig
from quantrail.research import search
from quantrail.research.evaluate import Engine, Runner
from quantrail.research.grid import Axis, GridSpecError, grid_points, grid_size, parse_axis
from quantrail.research.search import Objective, objective_values, parse_objectives
from quantrail.research.trials import TrialLog, TrialRecord
from quantrail.strategy import resolve_strategy

__all__ = ["Method", "SweepResult", "sweep"]

Method = Literal["grid", "random", "tpe", "nsga2"]
_METHODS = ("grid", "random", "tpe", "nsga2")
DEFAULT_BATCH = 4


@dataclass(frozen=True)
class SweepResult:
    """A finished (or resumed-and-finished) sweep.

    Attributes
    ----------
    method : str
        ``grid``, ``random``, ``tpe`` or ``nsga2``.
    axes : list of Axis
        The searched space.
    objectives : list of Objective
        What was optimised, in order.
    records : list of TrialRecord
        Every logged trial, by trial number (including those of earlier, resumed runs).
    """

    method: str
    axes: list[Axis]
    objectives: list[Objective]
    records: list[TrialRecord]

    def scored(self) -> list[TrialRecord]:
        """Complete trials whose every objective is defined."""
        return [
            r
            for r in self.records
            if r.state == "complete" and r.values and all(v is not None for v in r.values)
        ]

    def _key(self, record: TrialRecord) -> tuple[float, ...]:
        # Larger is better on every coordinate.
        assert record.values is not None
        return tuple(
            float(v) if o.direction == "maximize" else -float(v)
            for o, v in zip(self.objectives, record.values, strict=True)
            if v is not None
        )

    def best(self) -> TrialRecord | None:
        """The best trial on the first objective (ties: the lowest trial number)."""
        scored = self.scored()
        if not scored:
            return None
        return max(scored, key=lambda r: (self._key(r)[0], -r.trial))

    def pareto(self) -> list[TrialRecord]:
        """Trials no other trial beats on every objective (ties kept), by trial number."""
        scored = self.scored()
        keys = [self._key(r) for r in scored]
        front = []
        for i, k in enumerate(keys):
            dominated = any(all(a >= b for a, b in zip(o, k, strict=True)) and o != k for o in keys)
            if not dominated:
                front.append(scored[i])
        return front


def _axes(config: RunConfig, grids: Sequence[str] | Sequence[Axis]) -> list[Axis]:
    out = [g if isinstance(g, Axis) else parse_axis(g) for g in grids]
    if not out:
        raise GridSpecError("give at least one parameter to sweep, e.g. fast=5:50:5")
    fields = resolve_strategy(config.strategy.name).Params.model_fields
    seen: set[str] = set()
    for axis in out:
        if axis.name in seen:
            raise GridSpecError(f"grid: parameter {axis.name!r} is given twice")
        seen.add(axis.name)
        if axis.name not in fields:
            raise GridSpecError(
                f"grid: {config.strategy.name} has no parameter {axis.name!r}; it has "
                f"{', '.join(fields) or 'none'}"
            )
    return out


def _header(
    config: RunConfig, method: str, axes: list[Axis], objectives: list[Objective], seed: int,
    batch_size: int,
) -> dict[str, Any]:  # fmt: skip
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True)
    header: dict[str, Any] = {
        "strategy": config.strategy.name,
        "method": method,
        "space": [{"name": a.name, "values": list(a.values), "kind": a.kind} for a in axes],
        "objectives": [[o.name, o.direction] for o in objectives],
        "config_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
    }
    if method != "grid":
        header["seed"] = seed
    if method in ("tpe", "nsga2"):
        header["batch_size"] = batch_size
    return header


def _random_points(axes: list[Axis], trials: int, seed: int) -> list[dict[str, Any]]:
    """``trials`` distinct grid points drawn with ``seed`` (all of them if the grid is smaller)."""
    rng = np.random.default_rng(seed)
    size = grid_size(axes)
    shape = [len(a.values) for a in axes]
    if size <= 10_000_000:
        flat = rng.choice(size, size=min(trials, size), replace=False)
        picks = np.array(np.unravel_index(flat, shape)).T
    else:  # too many to enumerate: independent draws per axis (repeats are unlikely)
        picks = np.stack([rng.integers(0, n, trials) for n in shape], axis=1)
    return [{a.name: a.values[int(i)] for a, i in zip(axes, row, strict=True)} for row in picks]


def sweep(
    config: RunConfig,
    grids: Sequence[str] | Sequence[Axis],
    *,
    method: Method = "grid",
    trials: int | None = None,
    objectives: Sequence[str] = ("sharpe",),
    log: Path | None = None,
    scheduler: str | None = None,
    seed: int = 0,
    resume: bool = False,
    base_dir: Path | None = None,
    engine: Engine = "auto",
    n_jobs: int | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: bool = True,
) -> SweepResult:
    """Search ``config``'s strategy parameters and log every trial.

    Parameters
    ----------
    config : RunConfig
        The base run; each trial overrides some of ``config.strategy.params``.
    grids : sequence of str or Axis
        The space, e.g. ``["fast=5:50:5", "slow=60:240:20"]`` (syntax: ``research.grid``).
    method : {"grid", "random", "tpe", "nsga2"}
        ``grid`` runs every point in order (the first ``trials`` when given); ``random`` draws
        ``trials`` distinct points with ``seed``; ``tpe`` (one objective) and ``nsga2`` (one or
        more) are optuna's samplers over the same axes, asked ``batch_size`` trials at a time.
    trials : int or None
        Total trials (required except for ``grid``); a resumed sweep runs only the missing ones.
    objectives : sequence of str
        Metric names (``metrics.json`` keys or ``final_equity``), optionally ``name:min``.
    log : Path or None
        The JSONL trial log; None keeps nothing on disk and cannot resume.
    scheduler : str or None
        ``tcp://host:port`` of a Dask scheduler; None runs locally.
    seed : int
        Seeds ``random``, ``tpe`` and ``nsga2``.
    resume : bool
        Continue ``log``: trial numbers already in it are skipped.
    base_dir : Path or None
        Where relative data paths in ``config`` are resolved.
    engine : {"auto", "fast", "event"}
        ``auto``: the fast path when it reproduces the config, else the event engine.
    n_jobs : int or None
        Local worker processes for event-engine trials.
    batch_size : int
        Trials asked from optuna before telling results (part of the log header).
    progress : bool
        Show a progress bar.

    Returns
    -------
    SweepResult
    """
    if method not in _METHODS:
        raise ConfigError(f"unknown method {method!r}; use {', '.join(_METHODS)}", path="method")
    if method != "grid" and (trials is None or trials < 1):
        raise ConfigError(f"{method} needs trials >= 1", path="trials")
    if batch_size < 1:
        raise ConfigError("batch_size must be >= 1", path="batch_size")
    axes = _axes(config, grids)
    goals = parse_objectives(objectives)
    if method == "tpe" and len(goals) != 1:
        raise ConfigError("tpe optimises one objective; use nsga2 for several", path="method")
    header = _header(config, method, axes, goals, seed, batch_size)
    book = TrialLog(log, header, resume) if log is not None else None
    logged: dict[int, TrialRecord] = dict(book.records) if book is not None else {}

    def record(found: TrialRecord) -> TrialRecord:
        scored = replace(found, values=objective_values(found.metrics, goals))
        logged[scored.trial] = scored
        if book is not None:
            book.append(scored)
        return scored

    try:
        with Runner(
            config, base_dir=base_dir, engine=engine, scheduler=scheduler, n_jobs=n_jobs
        ) as runner:
            if method in ("grid", "random"):
                points: Iterable[dict[str, Any]] = (
                    grid_points(axes)
                    if method == "grid"
                    else _random_points(axes, trials or 0, seed)
                )
                limit = trials if trials else None
                todo = [
                    (n, p) for n, p in enumerate(points) if (limit is None or n < limit)
                    and n not in logged
                ]  # fmt: skip
                with _TrialBar(progress, len(todo)) as advance:
                    for found in runner.run(todo):
                        record(found)
                        advance()
            else:
                _search(runner, method, axes, goals, seed, trials or 0, batch_size, logged,
                        record, progress)  # fmt: skip
    finally:
        if book is not None:
            book.close()
    return SweepResult(method, axes, goals, [logged[k] for k in sorted(logged)])


def _search(
    runner: Runner, method: str, axes: list[Axis], goals: list[Objective], seed: int,
    trials: int, batch_size: int, logged: dict[int, TrialRecord],
    record: Callable[[TrialRecord], TrialRecord], progress: bool,
) -> None:  # fmt: skip
    with search.quiet_optuna():
        study = search.create_study(method, goals, seed)
        search.restore_trials(study, axes, [logged[k] for k in sorted(logged)])
        space = search.distributions(axes)
        remaining = max(trials - len(logged), 0)
        number = max(logged, default=-1) + 1
        with _TrialBar(progress, remaining) as advance:
            while remaining > 0:
                size = min(batch_size, remaining)
                asked = [study.ask(space) for _ in range(size)]
                batch = [(number + i, search.snap(axes, t.params)) for i, t in enumerate(asked)]
                found = {r.trial: r for r in runner.run(batch)}
                # Told in trial order, whatever order they finished in: reproducible.
                for i, trial in enumerate(asked):
                    search.tell(study, trial, record(found[number + i]))
                    advance()
                number += size
                remaining -= size


class _TrialBar:
    """A rich progress bar over trials (a no-op when disabled)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self._progress = Progress(
            TextColumn("[bold]sweep[/]"), BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), transient=True, disable=not enabled,
        )  # fmt: skip
        self._task = self._progress.add_task("trials", total=total)

    def __enter__(self) -> Callable[[], None]:
        self._progress.start()
        return lambda: self._progress.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()
