"""`quantrail data quality`: calendar-aware quality reports (quality.json + quality.html)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from quantrail.core.errors import ConfigError
from quantrail.data import DataConfig, load_bars
from quantrail.data.calendars import get_calendar
from quantrail.data.quality import quality_report, write_quality_report

__all__ = ["quality_command", "summary_line"]


def quality_command(
    files: list[Path],
    frequency: str,
    timestamps: str,
    timezone: str | None,
    asset_class: str,
    calendar: str | None,
    out_dir: Path,
) -> None:
    """Load each file, build its quality report and write quality.json/quality.html.

    Each file's symbol is its file name without the suffix. A summary line per symbol is
    printed. Nothing is repaired, and findings do not fail the command; a file that cannot be
    loaded does (DataError, exit code 3), as does a bad option (ConfigError, exit code 2).

    Parameters
    ----------
    files : list of Path
        Bar files (CSV or Parquet), all with the same frequency and timestamp convention.
    frequency, timestamps, timezone, asset_class : str
        As in the data config (``timezone`` may be None).
    calendar : str or None
        Trading calendar name; None: the asset-class default (XNYS, 24/7, 24/5).
    out_dir : Path
        Where the two files are written (created if missing).
    """
    reports = []
    for file in files:
        cfg = _config(file, frequency, timestamps, timezone, asset_class, calendar)
        report = quality_report(load_bars(cfg), get_calendar(cfg.calendar_name))
        reports.append(report)
        typer.echo(summary_line(report))
    json_path, html_path = write_quality_report(reports, out_dir)
    typer.echo(f"wrote {json_path} and {html_path}")


def _config(
    file: Path,
    frequency: str,
    timestamps: str,
    timezone: str | None,
    asset_class: str,
    calendar: str | None,
) -> DataConfig:
    try:
        return DataConfig.model_validate(
            {
                "symbol": file.stem,
                "path": file,
                "frequency": frequency,
                "timestamps": timestamps,
                "timezone": timezone,
                "asset_class": asset_class,
                "calendar": calendar,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(first["msg"], path="--" + str(first["loc"][0])) from exc


def summary_line(report: dict[str, Any]) -> str:
    """One line per symbol: rows, validation verdict and the non-zero check counts."""
    checks = report["checks"]
    found = [f"{name} {c['count']}" for name, c in checks.items() if c.get("count")]
    validation = report["validation"]
    verdict = "ok" if validation["ok"] else "FATAL"
    rules = ", ".join(f"{rule} {n}" for rule, n in validation["counts"].items())
    if rules:
        verdict += f" ({rules})"
    return (
        f"{report['symbol']}: {report['rows']} bars, {report['first_bar']} .. "
        f"{report['last_bar']}, validation {verdict}; "
        + (", ".join(found) if found else "no findings")
    )
