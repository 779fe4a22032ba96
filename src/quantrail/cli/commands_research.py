"""Research and evaluation commands: sweep, walkforward, sensitivity, robustness, stats,
lookahead.

Each exits 1 when its verdict is FAIL, so a script or CI job can gate on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from quantrail.cli.app import ConfigArg, OutOption, SetOption, app
from quantrail.cli.evaluate_cmd import (
    lookahead_command,
    robustness_command,
    sensitivity_command,
    stats_command,
    walkforward_command,
)
from quantrail.cli.sweep_cmd import sweep_command

__all__: list[str] = []

Params = Annotated[
    list[str] | None, typer.Option("--param", help="NAME=V1,V2,... (repeat for a grid)")
]


def _verdict(passed: bool) -> None:
    if not passed:
        raise typer.Exit(1)


@app.command("sweep")
def sweep(
    config: ConfigArg,
    grid: Annotated[
        list[str] | None, typer.Option(help="NAME=START:STOP:STEP or NAME=A,B,C (repeat).")
    ] = None,
    method: Annotated[str, typer.Option(help="grid, random, tpe or nsga2")] = "grid",
    trials: Annotated[int, typer.Option(help="Trials for random/tpe/nsga2 (0: whole grid).")] = 0,
    objective: Annotated[
        list[str] | None, typer.Option(help="Metric to maximise, e.g. sharpe (repeat).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler, tcp://HOST:PORT (default: local).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 0,
    resume: Annotated[bool, typer.Option(help="Skip trials already in the log.")] = False,
    engine: Annotated[str, typer.Option(help="auto, fast or event")] = "auto",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    set_: SetOption = None,
    out: OutOption = Path("runs/sweep"),
) -> None:
    """Parameter sweep or search; every trial logged with its parameters and metrics."""
    sweep_command(
        config, grid or [], method, trials, objective or ["sharpe"], out, scheduler, seed,
        resume, overrides=set_ or [], engine=engine, progress=progress,
    )  # fmt: skip


@app.command("walkforward")
def walkforward(
    config: ConfigArg,
    param: Params = None,
    train: Annotated[str, typer.Option(help="Train length: bars (504) or time (730d).")] = "504",
    test: Annotated[str, typer.Option(help="Test length: bars or time.")] = "252",
    step: Annotated[str | None, typer.Option(help="Step (default: the test length).")] = None,
    anchored: Annotated[bool, typer.Option(help="Grow the train window from the start.")] = False,
    metric: Annotated[str, typer.Option(help="What the optimiser maximises.")] = "sharpe",
    warmup: Annotated[int, typer.Option(help="Bars run before each window, unmeasured.")] = 0,
    min_efficiency: Annotated[float, typer.Option(help="Pass mark of WF efficiency.")] = 0.5,
    set_: SetOption = None,
    out: OutOption = Path("runs/walkforward"),
) -> None:
    """Walk-forward analysis: optimise in-sample, test out-of-sample, stitch, judge."""
    _verdict(
        walkforward_command(
            config, out, params=param or [], train=train, test=test, step=step,
            anchored=anchored, metric=metric, warmup=warmup, min_efficiency=min_efficiency,
            overrides=set_ or [],
        )
    )  # fmt: skip


@app.command("sensitivity")
def sensitivity(
    config: ConfigArg,
    vary: Annotated[list[str] | None, typer.Option(help="Parameter to vary (repeat).")] = None,
    delta: Annotated[list[float] | None, typer.Option(help="Relative change (repeat).")] = None,
    pair: Annotated[str | None, typer.Option(help="a,b for a 2-D heatmap.")] = None,
    max_drop: Annotated[float, typer.Option(help="Largest allowed metric drop.")] = 0.5,
    floor: Annotated[list[str] | None, typer.Option(help="metric=value floor (repeat).")] = None,
    set_: SetOption = None,
    out: OutOption = Path("runs/sensitivity"),
) -> None:
    """Each parameter at -20/-10/+10/+20 % (and a pair heatmap), with a pass/fail band."""
    _verdict(
        sensitivity_command(
            config, out, params=vary, deltas=delta, pair=pair, max_drop=max_drop, floors=floor,
            overrides=set_ or [],
        )
    )  # fmt: skip


@app.command("robustness")
def robustness(
    config: ConfigArg,
    symbol: Annotated[list[str] | None, typer.Option(help="SYM=path (repeat).")] = None,
    windows: Annotated[str, typer.Option(help="yearly or a number of equal windows.")] = "yearly",
    min_positive_share: Annotated[float, typer.Option(help="Share that must profit.")] = 0.6,
    cost_multiplier: Annotated[
        list[float] | None, typer.Option(help="Cost stress factor (repeat).")
    ] = None,
    warmup: Annotated[int, typer.Option(help="Bars run before each window, unmeasured.")] = 0,
    set_: SetOption = None,
    out: OutOption = Path("runs/robustness"),
) -> None:
    """The same rules across symbols, sub-periods and doubled costs: does the effect survive?"""
    _verdict(
        robustness_command(
            config, out, symbols=symbol, windows=windows, min_positive_share=min_positive_share,
            cost_multipliers=cost_multiplier, warmup=warmup, overrides=set_ or [],
        )
    )  # fmt: skip


@app.command("stats")
def stats(
    config: ConfigArg,
    param: Params = None,
    blocks: Annotated[int, typer.Option(help="CSCV blocks for PBO.")] = 16,
    sims: Annotated[int, typer.Option(help="Monte Carlo resamples of trades.")] = 1000,
    method: Annotated[str, typer.Option(help="bootstrap or shuffle")] = "bootstrap",
    seed: Annotated[int, typer.Option(help="Seed of the resampling.")] = 0,
    set_: SetOption = None,
    out: OutOption = Path("runs/stats"),
) -> None:
    """Overfitting statistics: PSR, deflated Sharpe, PBO, trade Monte Carlo, top-10 % share."""
    if method not in ("bootstrap", "shuffle"):
        raise typer.BadParameter("method must be bootstrap or shuffle")
    chosen: Literal["bootstrap", "shuffle"] = "bootstrap" if method == "bootstrap" else "shuffle"
    _verdict(
        stats_command(
            config, out, params=param, blocks=blocks, sims=sims, method=chosen, seed=seed,
            overrides=set_ or [],
        )
    )  # fmt: skip


@app.command("lookahead")
def lookahead(
    config: ConfigArg,
    cuts: Annotated[int, typer.Option(help="How many truncation points to test.")] = 5,
    set_: SetOption = None,
    out: OutOption = Path("runs/lookahead"),
) -> None:
    """Rerun on truncated data and report any decision that changes (look-ahead)."""
    _verdict(lookahead_command(config, out, cuts=cuts, overrides=set_ or []))
