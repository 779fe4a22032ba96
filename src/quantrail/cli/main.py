"""The ``quantrail`` command. Subcommands parse arguments and call one function each."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from quantrail.cli.audit_cmd import print_trade_story
from quantrail.cli.backtest_cmd import backtest_command
from quantrail.cli.data_cmd import validate_command
from quantrail.config import run_config_schema
from quantrail.core.errors import QuantrailError
from quantrail.strategy import BUILTIN_STRATEGIES, resolve_strategy

__all__ = ["app", "main", "run"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="quantrail: research to live trading without a rewrite.",
)
data_app = typer.Typer(no_args_is_help=True, help="Load, check and store market data.")
app.add_typer(data_app, name="data")

_err = Console(stderr=True)


@app.command("backtest")
def backtest(
    config: Annotated[Path, typer.Argument(help="Run config (YAML).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the run's outputs.")] = Path(
        "runs/latest"
    ),
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a config value: --set strategy.params.fast=10"),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run an event-driven backtest and write its run folder."""
    backtest_command(config, out, set_ or [], progress)


@data_app.command("validate")
def data_validate(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet bar file.")],
    frequency: Annotated[str, typer.Option(help="Bar spacing: 1d, 1h, 1min ...")] = "1d",
    timestamps: Annotated[str, typer.Option(help="bar_start or bar_end")] = "bar_start",
    timezone: Annotated[
        str | None, typer.Option(help="Zone of naive timestamps, e.g. America/New_York")
    ] = None,
    asset_class: Annotated[str, typer.Option(help="equity, crypto or fx")] = "equity",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Print a data-quality report; exit 3 when a fatal problem is found."""
    validate_command(file, frequency, timestamps, timezone, asset_class, as_json)


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
        schema = cls.Params.model_json_schema().get("properties", {})
        params = ", ".join(f"{k}={v.get('default')!r}" for k, v in schema.items())
        typer.echo(f"{name:18s} {params}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map quantrail errors to exit codes with a one-line message."""
    try:
        app(args=argv, standalone_mode=False)
    except QuantrailError as exc:
        _err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return 130
    except typer.TyperException as exc:  # usage errors arrive here in non-standalone mode
        _err.print(f"[bold red]usage:[/] {exc.format_message()}", highlight=False)
        return exc.exit_code
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
