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
from quantrail.cli.data_quality_cmd import quality_command
from quantrail.cli.data_store_cmd import DEFAULT_STORE_URL, import_command, list_command
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


@data_app.command("import")
def data_import(
    files: Annotated[list[Path], typer.Argument(help="CSV or Parquet bar files of one symbol.")],
    symbol: Annotated[str, typer.Option(help="Symbol the bars belong to.")],
    frequency: Annotated[str, typer.Option(help="Bar spacing: 1d, 1h, 1min ...")],
    timestamps: Annotated[str, typer.Option(help="bar_start or bar_end")] = "bar_start",
    timezone: Annotated[
        str | None, typer.Option(help="Zone of naive timestamps, e.g. America/New_York")
    ] = None,
    asset_class: Annotated[str, typer.Option(help="equity, crypto or fx")] = "equity",
    store: Annotated[
        str, typer.Option(help="Bar store URL: duckdb:///file.duckdb or postgresql://...")
    ] = DEFAULT_STORE_URL,
) -> None:
    """Validate bar files and write them to a bar store; re-importing the same bars is a no-op."""
    import_command(files, symbol, frequency, timestamps, timezone, asset_class, store)


@data_app.command("list")
def data_list(
    store: Annotated[
        str, typer.Option(help="Bar store URL: duckdb:///file.duckdb or postgresql://...")
    ] = DEFAULT_STORE_URL,
) -> None:
    """List the series in a bar store: symbol, frequency, first and last bar start, rows."""
    list_command(store)


@data_app.command("quality")
def data_quality(
    files: Annotated[list[Path], typer.Argument(help="CSV or Parquet bar files.")],
    frequency: Annotated[str, typer.Option(help="Bar spacing: 1d, 1h, 1min ...")] = "1d",
    timestamps: Annotated[str, typer.Option(help="bar_start or bar_end")] = "bar_start",
    timezone: Annotated[
        str | None, typer.Option(help="Zone of naive timestamps, e.g. America/New_York")
    ] = None,
    asset_class: Annotated[str, typer.Option(help="equity, crypto or fx")] = "equity",
    calendar: Annotated[
        str | None, typer.Option(help="Trading calendar (XNYS, 24/7 ...); default by asset class")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for quality.json/html.")] = Path(
        "runs/quality"
    ),
) -> None:
    """Per-symbol data-quality report against the trading calendar (JSON and HTML)."""
    quality_command(files, frequency, timestamps, timezone, asset_class, calendar, out)


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
