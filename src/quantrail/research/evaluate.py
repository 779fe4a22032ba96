"""Evaluating trials: on the fast path when it can reproduce the config, else the event engine.

A :class:`Task` is a picklable batch of trials; :func:`run_task` runs it anywhere (this process,
a worker process, a Dask worker) and returns one record per trial. :class:`Runner` fans tasks
out: fast-path batches run in this process (the kernel already uses every core), event-engine
trials in a pool of worker processes, and everything on a Dask cluster when a scheduler address
is given. Results do not depend on where a task ran.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from quantrail.core.errors import ConfigError, QuantrailError
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.research.fast import (
    FastPathUnsupported,
    Market,
    load_market,
    run_fast,
    strategy_params,
    unsupported_reason,
    with_params,
)
from quantrail.research.trials import TrialRecord

__all__ = ["Engine", "Runner", "Task", "run_task"]

Engine = Literal["auto", "fast", "event"]
FAST_CHUNK = 64  # parameter sets per kernel call: bounds the equity memory and paces progress


@dataclass(frozen=True)
class Task:
    """Trials to run with one config: ``trials`` are (number, parameter overrides) pairs."""

    config: dict[str, Any]
    base_dir: str | None
    trials: tuple[tuple[int, dict[str, Any]], ...]
    engine: Engine
    sweep_id: str = ""  # tasks of one sweep share the loaded data (see ``_market``)


def _event(
    config: RunConfig, number: int, overrides: dict[str, Any], base: Path | None
) -> TrialRecord:
    try:
        result = run_backtest(with_params(config, overrides), base_dir=base)
    except QuantrailError as exc:
        return TrialRecord(number, overrides, "failed", "event", error=str(exc))
    metrics = {**result.metrics, "final_equity": result.final_equity}
    return TrialRecord(number, overrides, "complete", "event", metrics)


def run_task(task: Task) -> list[TrialRecord]:
    """Run every trial of ``task``; invalid parameters and failed runs become records too.

    Raises
    ------
    FastPathUnsupported
        ``engine="fast"`` and the config, the data or a parameter set needs the event engine.
    """
    config = RunConfig.model_validate(task.config)
    base = Path(task.base_dir) if task.base_dir is not None else None
    records: list[TrialRecord] = []
    valid = []
    for number, overrides in task.trials:
        try:
            valid.append((number, overrides, strategy_params(config, overrides)))
        except ConfigError as exc:
            records.append(TrialRecord(number, overrides, "invalid", error=str(exc)))
    if task.engine != "event" and valid:
        reason = unsupported_reason(config)
        if reason is None:
            try:
                return records + _fast(config, valid, base, task.engine, task.sweep_id)
            except FastPathUnsupported:
                if task.engine == "fast":
                    raise
        elif task.engine == "fast":
            raise FastPathUnsupported(reason[1], path=reason[0])
    return records + [_event(config, n, o, base) for n, o, _ in valid]


# The last market loaded in this process, for the sweep that loaded it: a search sends one
# small task per batch, and each would otherwise load and validate the same data again. Keyed
# by sweep, so a later sweep sees data files as they are then.
_MARKET_CACHE: dict[str, Market] = {}


def _market(config: RunConfig, base: Path | None, sweep_id: str) -> Market:
    found = _MARKET_CACHE.get(sweep_id) if sweep_id else None
    if found is None:
        found = load_market(config, base)
        if sweep_id:
            _MARKET_CACHE.clear()
            _MARKET_CACHE[sweep_id] = found
    return found


def _fast(
    config: RunConfig,
    valid: list[tuple[int, dict[str, Any], Any]],
    base: Path | None,
    engine: str,
    sweep_id: str,
) -> list[TrialRecord]:
    market = _market(config, base, sweep_id)
    records = []
    for start in range(0, len(valid), FAST_CHUNK):
        chunk = valid[start : start + FAST_CHUNK]
        batch = run_fast(market, config.strategy.name, [p for _, _, p in chunk])
        for i, (number, overrides, _) in enumerate(chunk):
            if not batch.ok(i):
                if engine == "fast":
                    batch.result(i)  # raises FastPathUnsupported naming the field
                records.append(_event(config, number, overrides, base))
                continue
            result = batch.result(i)
            metrics = {**result.metrics, "final_equity": result.final_equity}
            records.append(TrialRecord(number, overrides, "complete", "fast", metrics))
    return records


class Runner:
    """Fan trials out locally or to a Dask scheduler (``tcp://host:port``).

    Parameters
    ----------
    config : RunConfig
        The base config; trials override its strategy parameters.
    base_dir : Path or None
        Where relative data paths are resolved (workers must see the same files).
    engine : {"auto", "fast", "event"}
        ``auto`` uses the fast path whenever it reproduces the config exactly.
    scheduler : str or None
        Dask scheduler address; None runs locally.
    n_jobs : int or None
        Worker processes for event-engine trials run locally (default: CPU count; 1 runs them
        in this process).
    """

    def __init__(
        self,
        config: RunConfig,
        *,
        base_dir: Path | None = None,
        engine: Engine = "auto",
        scheduler: str | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self._config = config.model_dump(mode="json")
        self._base = None if base_dir is None else str(base_dir)
        self._engine = engine
        reason = None if engine == "event" else unsupported_reason(config)
        if engine == "fast" and reason is not None:
            raise FastPathUnsupported(reason[1], path=reason[0])
        self._fast = engine != "event" and reason is None
        self._jobs = n_jobs or os.cpu_count() or 1
        self._sweep_id = uuid.uuid4().hex
        self._client: Any = None
        self._pool: ProcessPoolExecutor | None = None
        if scheduler is not None:
            # Imported only for a cluster: distributed is slow to load. It has no type hints.
            from distributed import Client

            connect: Callable[..., Any] = Client
            self._client = connect(scheduler)

    @property
    def uses_fast_path(self) -> bool:
        """Whether trials go to the fast path (the config allows it and engine is not event)."""
        return self._fast

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        _MARKET_CACHE.pop(self._sweep_id, None)  # Dask workers keep theirs until the next sweep
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def _tasks(self, trials: Sequence[tuple[int, dict[str, Any]]]) -> list[Task]:
        size = FAST_CHUNK if self._fast else 1
        return [
            Task(
                self._config, self._base, tuple(trials[i : i + size]), self._engine, self._sweep_id
            )
            for i in range(0, len(trials), size)
        ]

    def run(self, trials: Sequence[tuple[int, dict[str, Any]]]) -> Iterator[TrialRecord]:
        """Yield one record per trial as tasks finish (not necessarily in trial order)."""
        tasks = self._tasks(trials)
        if self._client is not None:
            from distributed import as_completed as completed_on_cluster

            dask_completed: Callable[..., Iterator[Any]] = completed_on_cluster
            futures = self._client.map(run_task, tasks, pure=False)
            for future in dask_completed(futures):
                yield from future.result()
        elif self._fast or self._jobs == 1 or len(tasks) == 1:
            for task in tasks:
                yield from run_task(task)
        else:
            if self._pool is None:
                # Spawned, not forked: a fork of a process whose numba/OpenMP threads are
                # running can deadlock in the child.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(self._jobs, mp_context=context)
            pending: list[Future[list[TrialRecord]]] = [
                self._pool.submit(run_task, t) for t in tasks
            ]
            for done in as_completed(pending):
                yield from done.result()
