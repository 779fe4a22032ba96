"""Data commands: validate, quality, import, list, download."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from quantrail.cli.app import OutOption, data_app
from quantrail.cli.data_cmd import validate_command
from quantrail.cli.data_quality_cmd import quality_command
from quantrail.cli.data_store_cmd import DEFAULT_STORE_URL, import_command, list_command
from quantrail.cli.download_cmd import download_command

__all__: list[str] = []

Frequency = Annotated[str, typer.Option(help="Bar spacing: 1d, 1h, 1min ...")]
Timestamps = Annotated[str, typer.Option(help="bar_start or bar_end")]
Timezone = Annotated[
    str | None, typer.Option(help="Zone of naive timestamps, e.g. America/New_York")
]
AssetClass = Annotated[str, typer.Option(help="equity, crypto or fx")]
Store = Annotated[
    str, typer.Option(help="Bar store URL: duckdb:///file.duckdb or postgresql://...")
]


@data_app.command("validate")
def data_validate(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet bar file.")],
    frequency: Frequency = "1d",
    timestamps: Timestamps = "bar_start",
    timezone: Timezone = None,
    asset_class: AssetClass = "equity",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Print a data-quality report; exit 3 when a fatal problem is found."""
    validate_command(file, frequency, timestamps, timezone, asset_class, as_json)


@data_app.command("quality")
def data_quality(
    files: Annotated[list[Path], typer.Argument(help="CSV or Parquet bar files.")],
    frequency: Frequency = "1d",
    timestamps: Timestamps = "bar_start",
    timezone: Timezone = None,
    asset_class: AssetClass = "equity",
    calendar: Annotated[
        str | None, typer.Option(help="Trading calendar (XNYS, 24/7 ...); default by asset class")
    ] = None,
    out: OutOption = Path("runs/quality"),
) -> None:
    """Per-symbol data-quality report against the trading calendar (JSON and HTML)."""
    quality_command(files, frequency, timestamps, timezone, asset_class, calendar, out)


@data_app.command("import")
def data_import(
    files: Annotated[list[Path], typer.Argument(help="CSV or Parquet bar files of one symbol.")],
    symbol: Annotated[str, typer.Option(help="Symbol the bars belong to.")],
    frequency: Annotated[str, typer.Option(help="Bar spacing: 1d, 1h, 1min ...")],
    timestamps: Timestamps = "bar_start",
    timezone: Timezone = None,
    asset_class: AssetClass = "equity",
    store: Store = DEFAULT_STORE_URL,
) -> None:
    """Validate bar files and write them to a bar store; re-importing the same bars is a no-op."""
    import_command(files, symbol, frequency, timestamps, timezone, asset_class, store)


@data_app.command("list")
def data_list(store: Store = DEFAULT_STORE_URL) -> None:
    """List the series in a bar store: symbol, frequency, first and last bar start, rows."""
    list_command(store)


@data_app.command("download")
def data_download(
    source: Annotated[str, typer.Argument(help="alpaca, binance or ccxt:<exchange id>")],
    symbol: Annotated[str, typer.Argument(help="Symbol as the venue spells it.")],
    start: Annotated[str, typer.Option(help="First bar start, ISO-8601 (inclusive).")],
    end: Annotated[str, typer.Option(help="End, ISO-8601 (exclusive).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="CSV or Parquet file to append to.")
    ] = None,
    store: Annotated[
        str | None, typer.Option(help="Bar store URL to write into instead of a file.")
    ] = None,
    frequency: Frequency = "1min",
    asset_class: AssetClass = "crypto",
    checkpoint: Annotated[
        Path | None, typer.Option(help="Resume file (default <out>.checkpoint.json).")
    ] = None,
    venue_url: Annotated[
        str | None, typer.Option(help="Base URL override, e.g. the local emulator.")
    ] = None,
    page_size: Annotated[int | None, typer.Option(help="Bars per request.")] = None,
) -> None:
    """Download historical bars page by page; rerunning resumes from the checkpoint."""
    download_command(
        source, symbol, frequency, start, end, out, checkpoint,
        venue_url=venue_url, page_size=page_size, store=store, asset_class=asset_class,
    )  # fmt: skip
