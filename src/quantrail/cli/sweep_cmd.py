"""`quantrail sweep`: load the config, search its strategy parameters, write the outputs.

Writes into ``out``: trials.jsonl (every trial, appended as it finishes), results.csv,
best.json and report.html.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from quantrail.config import load_run_config
from quantrail.research import sweep, write_sweep_outputs

__all__ = ["sweep_command"]


def _format(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.4f}"
    return str(value)


def sweep_command(
    config: Path,
    grids: list[str],
    method: str,
    trials: int,
    objectives: list[str],
    out: Path,
    scheduler: str | None,
    seed: int,
    resume: bool,
    *,
    overrides: list[str] | None = None,
    engine: str = "auto",
    progress: bool = True,
) -> None:
    """Run a sweep from a YAML run config and write its folder.

    Parameters
    ----------
    config : Path
        The run config (YAML); its ``strategy.params`` are the defaults each trial overrides.
    grids : list of str
        Axes such as ``fast=5:50:5``, ``slow=60,120,240``.
    method : str
        ``grid``, ``random``, ``tpe`` or ``nsga2``.
    trials : int
        Trials to run (for ``grid``: at most this many points in grid order; 0 for all).
    objectives : list of str
        Metric names, e.g. ``sharpe`` or ``sharpe max_drawdown``; ``name:min`` to minimise.
    out : Path
        Output folder.
    scheduler : str or None
        Dask scheduler address ``tcp://host:port``; None runs locally.
    seed : int
        Seed of the random and Bayesian searches.
    resume : bool
        Continue ``out/trials.jsonl``, skipping the trials it holds.
    overrides : list of str, optional
        ``--set`` assignments applied to the config.
    engine : str
        ``auto`` (fast path when exact, else event engine), ``fast`` or ``event``.
    progress : bool
        Show a progress bar.
    """
    loaded = load_run_config(config, overrides or [])
    result = sweep(
        loaded.config,
        grids,
        method=method,  # type: ignore[arg-type]  # checked by sweep with a clear message
        trials=trials or None,
        objectives=objectives,
        log=out / "trials.jsonl",
        scheduler=scheduler,
        seed=seed,
        resume=resume,
        base_dir=loaded.base_dir,
        engine=engine,  # type: ignore[arg-type]
        progress=progress,
    )
    write_sweep_outputs(result, out, title=f"{loaded.config.name}: {loaded.config.strategy.name}")
    console = Console()
    engines = {r.engine for r in result.records if r.engine}
    console.print(
        f"{len(result.records)} trials ({len(result.scored())} scored; engine: "
        f"{', '.join(sorted(engines)) or 'none'})"
    )
    best = result.best()
    if best is not None:
        table = Table(title=f"best on {result.objectives[0].name}", show_header=False)
        table.add_row("trial", str(best.trial))
        for key, value in best.params.items():
            table.add_row(key, _format(value))
        for objective, value in zip(result.objectives, best.values or [], strict=False):
            table.add_row(objective.name, _format(value))
        console.print(table)
    console.print(f"sweep folder: {out}  (report: {out / 'report.html'})")
