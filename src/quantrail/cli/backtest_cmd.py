"""`quantrail backtest`: load the config, run, print the headline metrics."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from quantrail.config import load_run_config
from quantrail.engine.run import ProgressHooks, run_backtest

__all__ = ["backtest_command"]

_HEADLINE = (
    "total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown",
    "annual_volatility", "num_trades", "win_rate", "profit_factor", "exposure", "final_equity",
)  # fmt: skip


def _format(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.4f}"
    return str(value)


def backtest_command(config_path: Path, out: Path, overrides: list[str], progress: bool) -> None:
    console = Console()
    loaded = load_run_config(config_path, overrides)
    bar = Progress(
        TextColumn("[bold]backtest[/]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not progress,
    )  # fmt: skip
    with bar:
        task = bar.add_task("events", total=None)
        hooks = ProgressHooks(
            start=lambda total: bar.update(task, total=total),
            advance=lambda done: bar.update(task, completed=done),
        )
        result = run_backtest(loaded.config, out_dir=out, config_text=loaded.text, progress=hooks)
    table = Table(title=f"{loaded.config.name}: {loaded.config.strategy.name}", show_header=False)
    metrics = dict(result.metrics)
    metrics["final_equity"] = result.final_equity
    for key in _HEADLINE:
        table.add_row(key, _format(metrics.get(key)))
    for warning in result.data_warnings(relative_to=Path.cwd()):
        Console(stderr=True, soft_wrap=True).print(
            f"[yellow]data warning:[/] {warning}", highlight=False
        )
    console.print(table)
    console.print(f"run folder: {out}  (report: {out / 'report.html'})")
