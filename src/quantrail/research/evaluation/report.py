"""Writing evaluation results: JSON, CSV and one self-contained HTML page per command.

The page embeds plotly.js inline once (the first chart) and reuses it for the others; it has
no ``<script src>`` or ``<link href>``, so it opens offline. Chart ``div`` ids are fixed, so
the same results give the same bytes.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "Section",
    "jsonable",
    "layout",
    "table_html",
    "utc_axis",
    "write_html",
    "write_json",
]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1150px; color: #222; }
table.t { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
table.t td, table.t th { padding: 0.2rem 0.7rem; border-bottom: 1px solid #ddd; text-align: right; }
table.t th { background: #f4f4f4; }
.pass { color: #1a7f37; font-weight: bold; } .fail { color: #b42318; font-weight: bold; }
p.note { color: #555; max-width: 60rem; }
pre.config { background: #f6f6f6; padding: 1rem; overflow-x: auto; }
"""


@dataclass(frozen=True)
class Section:
    """A titled part of the page: a note, an HTML table and/or a chart."""

    title: str
    note: str = ""
    table: pd.DataFrame | None = None
    figure: go.Figure | None = None


def write_html(
    path: Path,
    *,
    title: str,
    verdict: str | None,
    sections: Sequence[Section],
    config_text: str | None = None,
) -> None:
    """Write one HTML page: title, verdict line, the sections in order, then the config."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if verdict is not None:
        css = "pass" if verdict.startswith("PASS") else "fail"
        parts.append(f'<p>Verdict: <span class="{css}">{html.escape(verdict)}</span></p>')
    charts = 0
    for section in sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        if section.table is not None:
            parts.append(table_html(section.table))
        if section.figure is not None:
            charts += 1
            parts.append(
                section.figure.to_html(
                    full_html=False,
                    include_plotlyjs=charts == 1,  # inline the library once; later charts reuse it
                    div_id=f"chart-{charts}",
                    config={"displaylogo": False, "responsive": True},
                )
            )
        parts.append("</section>")
    if config_text is not None:
        parts.append("<section><h2>Run configuration</h2>")
        parts.append(f'<pre class="config">{html.escape(config_text)}</pre></section>')
    parts += ["</body>", "</html>"]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts), encoding="utf-8")


def table_html(frame: pd.DataFrame) -> str:
    """An escaped HTML table; floats get 4 significant decimals, missing values ``n/a``."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in values)
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="t"><tr>{head}</tr>\n' + "\n".join(rows) + "</table>"


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Write ``payload`` as indented JSON; NaN and inf become ``null``, timestamps ISO text."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(jsonable(payload), indent=2, allow_nan=False)
    out.write_text(text + "\n", encoding="utf-8")


def jsonable(value: Any) -> Any:
    """Plain JSON types from NumPy scalars, arrays, timestamps, frames and dataclass-free dicts."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [jsonable(row) for row in value.to_dict(orient="records")]
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return [jsonable(v) for v in list(value)]
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Path):
        return str(value)
    return value


def utc_axis(index: pd.Index) -> list[str]:
    """ISO strings of naive UTC wall time (plotly.js has no time zones)."""
    stamps = pd.DatetimeIndex(index)
    if stamps.tz is not None:
        stamps = stamps.tz_convert("UTC").tz_localize(None)
    return [ts.isoformat() for ts in stamps]


def layout(fig: go.Figure, **kwargs: Any) -> go.Figure:
    """The house style of every evaluation chart."""
    fig.update_layout(
        template="plotly_white", height=380, margin={"l": 60, "r": 20, "t": 30, "b": 40}, **kwargs
    )
    return fig


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float | np.floating) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{float(value):,.4f}"
    return str(value)
