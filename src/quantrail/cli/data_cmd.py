"""`quantrail data validate`: the data-quality report of one file."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from quantrail.core.errors import ConfigError
from quantrail.data import DataConfig, QualityReport, load_bars, validate_bars

__all__ = ["validate_command"]


def validate_command(
    file: Path,
    frequency: str,
    timestamps: str,
    timezone: str | None,
    asset_class: str,
    as_json: bool,
) -> None:
    try:
        cfg = DataConfig.model_validate(
            {
                "symbol": file.stem,
                "path": file,
                "frequency": frequency,
                "timestamps": timestamps,
                "timezone": timezone,
                "asset_class": asset_class,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(first["msg"], path="--" + str(first["loc"][0])) from exc
    report = validate_bars(load_bars(cfg))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        _print(report, Console())
    report.raise_if_fatal()


def _print(report: QualityReport, console: Console) -> None:
    data = report.to_dict()
    console.print(
        f"[bold]{data['source']}[/]: {data['rows']} rows, {data['first_ts']} .. {data['last_ts']}"
    )
    issues = data["issues"]
    if not issues:
        console.print("[green]no problems found[/]")
        return
    table = Table("rule", "severity", "count", "examples (line: detail)")
    for issue in issues:
        examples = "; ".join(
            f"{e.get('line', '?')}: {e.get('detail', '')}" for e in issue.get("examples", [])[:3]
        )
        color = "red" if issue["severity"] == "fatal" else "yellow"
        table.add_row(
            issue["rule"], f"[{color}]{issue['severity']}[/]", str(issue["count"]), examples
        )
    console.print(table)
