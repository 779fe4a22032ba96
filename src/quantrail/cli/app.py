"""The typer applications the command modules register onto, and options they share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["ConfigArg", "OutOption", "SetOption", "app", "data_app", "err_console"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="quantrail: research to live trading without a rewrite.",
)
data_app = typer.Typer(no_args_is_help=True, help="Load, check, store and download market data.")
app.add_typer(data_app, name="data")

err_console = Console(stderr=True, soft_wrap=True)

ConfigArg = Annotated[Path, typer.Argument(help="Run config (YAML).")]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a config value: --set strategy.params.fast=10"),
]
