"""`quantrail data import` and `quantrail data list`: filling and inspecting a bar store."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console

from quantrail.core.errors import ConfigError
from quantrail.data import BarFrame, DataConfig, QualityReport, load_bars, validate_bars
from quantrail.data.frame import iso_utc
from quantrail.data.store import DEFAULT_STORE_URL, open_store, redact_url

__all__ = ["DEFAULT_STORE_URL", "import_command", "list_command"]

_err = Console(stderr=True, soft_wrap=True)


def _config(
    file: Path, symbol: str, frequency: str, timestamps: str, timezone: str | None, asset_class: str
) -> DataConfig:
    try:
        return DataConfig.model_validate(
            {
                "symbol": symbol,
                "path": file,
                "frequency": frequency,
                "timestamps": timestamps,
                "timezone": timezone,
                "asset_class": asset_class,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else "symbol"
        raise ConfigError(first["msg"], path="--" + where.replace("_", "-")) from exc


def _print_warnings(report: QualityReport) -> None:
    for issue in report.warnings:
        first = f" (first at line {issue.first_row})" if issue.first_row is not None else ""
        _err.print(
            f"[yellow]warning:[/] {report.source}: {issue.rule} x{issue.count}{first}: "
            f"{issue.description}",
            highlight=False,
        )


def import_command(
    files: list[Path],
    symbol: str,
    frequency: str,
    timestamps: str,
    timezone: str | None,
    asset_class: str,
    store_url: str,
) -> None:
    """Load, validate and store each file's bars; print what was inserted and skipped.

    Every file is loaded and validated before anything is written, so a fatal problem in any
    of them (reported with its file, line and rule) leaves the store untouched. Each file is
    then written in its own transaction.

    Raises
    ------
    ConfigError
        A bad option or store URL.
    DataError
        A file cannot be read, has a fatal quality problem, or conflicts with stored bars.
    """
    frames: list[BarFrame] = []
    for file in files:
        frame = load_bars(_config(file, symbol, frequency, timestamps, timezone, asset_class))
        report = validate_bars(frame)
        report.raise_if_fatal()
        _print_warnings(report)
        frames.append(frame)
    shown = redact_url(store_url)
    with open_store(store_url) as store:
        for frame in frames:
            result = store.write(frame)
            typer.echo(
                f"{frame.source} -> {shown} {frame.symbol}@{frequency}: "
                f"inserted {result.inserted}, skipped {result.skipped}"
            )


def list_command(store_url: str) -> None:
    """Print one line per stored series: symbol, frequency, first and last bar start, rows.

    Raises
    ------
    DataError
        The store does not exist or cannot be reached.
    """
    with open_store(store_url, read_only=True) as store:
        series = store.list()
    if not series:
        typer.echo(f"{redact_url(store_url)}: no bars stored")
        return
    header = ("symbol", "frequency", "first", "last", "rows")
    rows = [
        (s.symbol, s.frequency, iso_utc(s.first_ts), iso_utc(s.last_ts), str(s.rows))
        for s in series
    ]
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    for row in [header, *rows]:
        cells = [
            cell.ljust(w) if k < 4 else cell.rjust(w)
            for k, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        typer.echo("  ".join(cells).rstrip())
