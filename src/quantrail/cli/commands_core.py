"""Core commands: backtest, audit, schema, strategies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from quantrail.cli.app import ConfigArg, OutOption, SetOption, app
from quantrail.cli.audit_cmd import print_trade_story
from quantrail.cli.backtest_cmd import backtest_command
from quantrail.config import run_config_schema
from quantrail.strategy import BUILTIN_STRATEGIES, resolve_strategy

__all__: list[str] = []


@app.command("backtest")
def backtest(
    config: ConfigArg,
    out: OutOption = Path("runs/latest"),
    set_: SetOption = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run an event-driven backtest and write its run folder."""
    backtest_command(config, out, set_ or [], progress)


@app.command("audit")
def audit(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `backtest`.")],
    trade: Annotated[int, typer.Option("--trade", "-t", help="Trade number (1-based).")] = 1,
) -> None:
    """Tell the story of one trade: signal, positions before, orders, fills, costs, exit."""
    print_trade_story(run_dir, trade)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the run config (docs/run-config.schema.json)."""
    typer.echo(run_config_schema(), nl=False)


@app.command("strategies")
def strategies() -> None:
    """List the built-in strategies and their parameters."""
    for name in sorted(BUILTIN_STRATEGIES):
        cls = resolve_strategy(name)
        properties = cls.Params.model_json_schema().get("properties", {})
        params = ", ".join(f"{k}={v.get('default')!r}" for k, v in properties.items())
        typer.echo(f"{name:18s} {params}")
