"""Plain, self-contained HTML for quality reports: tables and inline CSS, no scripts, no network."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["render_html"]

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #b00; font-weight: bold; } .ok { color: #070; }
"""
_CHECKS = (
    "missing_sessions",
    "missing_intraday_bars",
    "outside_regular_hours",
    "off_calendar_bars",
    "duplicates",
    "spikes",
    "stale_runs",
    "crossed_quotes",
    "zero_volume_runs",
)


def _cell(value: Any, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        attr = ' class="num"'
        value = f"{value:.6g}" if isinstance(value, float) else str(value)
    return f"<td{attr}>{escape(str(value))}</td>"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _example_text(example: Any) -> str:
    if isinstance(example, Mapping):
        return f"line {example.get('line')}: {example.get('bar_start')} {example.get('detail')}"
    return str(example)


def _details(check: Mapping[str, Any]) -> str:
    skip = {"count", "examples", "worst_sessions"}
    parts = [f"{k}={v}" for k, v in check.items() if k not in skip]
    worst = check.get("worst_sessions")
    if worst:
        parts.append("worst: " + ", ".join(f"{w['session']} ({w['missing']})" for w in worst))
    return "; ".join(parts)


def _symbol_section(report: Mapping[str, Any]) -> str:
    checks = report.get("checks", {})
    rows = [
        (
            name,
            checks[name].get("count", 0),
            _details(checks[name]),
            " | ".join(_example_text(e) for e in checks[name].get("examples", [])),
        )
        for name in _CHECKS
        if name in checks
    ]
    validation = report.get("validation", {})
    counts = validation.get("counts", {})
    fatal = set(validation.get("fatal", []))
    rule_rows = [(rule, "fatal" if rule in fatal else "warning", n) for rule, n in counts.items()]
    return (
        f"<h2>{escape(str(report.get('symbol')))}</h2>"
        f"<p>{escape(str(report.get('source')))}: {report.get('rows')} rows, "
        f"{escape(str(report.get('first_bar')))} .. {escape(str(report.get('last_bar')))}, "
        f"calendar {escape(str(report.get('calendar')))}</p>"
        "<h3>Checks</h3>"
        + _table(("check", "count", "details", "examples"), rows)
        + "<h3>Validation rules</h3>"
        + (_table(("rule", "severity", "count"), rule_rows) if rule_rows else "<p>no issues</p>")
    )


def render_html(reports: Sequence[Mapping[str, Any]]) -> str:
    """One page: a summary row per symbol, then each symbol's checks and validation counts."""
    summary = []
    for r in reports:
        checks = r.get("checks", {})
        ok = r.get("validation", {}).get("ok", False)
        summary.append(
            "<tr>"
            + _cell(r.get("symbol"))
            + _cell(r.get("rows"))
            + _cell("ok" if ok else "FATAL", "ok" if ok else "bad")
            + "".join(_cell(checks.get(name, {}).get("count", "")) for name in _CHECKS)
            + "</tr>"
        )
    head = "".join(f"<th>{escape(h)}</th>" for h in ("symbol", "rows", "validation", *_CHECKS))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Data quality</title><style>{_STYLE}</style></head><body>"
        "<h1>Data quality</h1><p>Nothing was repaired; counts are what the data has.</p>"
        f"<table><tr>{head}</tr>{''.join(summary)}</table>"
        + "".join(_symbol_section(r) for r in reports)
        + "</body></html>\n"
    )
