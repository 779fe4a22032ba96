"""One self-contained HTML report per run: charts, metrics table and the run's config."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from quantrail.analytics._validate import checked_equity
from quantrail.analytics.metrics import drawdown_series, monthly_returns

__all__ = ["CHART_TITLES", "write_report"]

CHART_TITLES = (
    "Equity curve",
    "Drawdown (underwater)",
    "Monthly returns (%)",
    "Trade P&L distribution",
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PERCENT_KEYS = frozenset(
    {
        "total_return",
        "cagr",
        "annual_volatility",
        "max_drawdown",
        "win_rate",
        "exposure",
        "var_95",
        "cvar_95",
        "best_period",
        "worst_period",
    }
)
_MONEY_KEYS = frozenset({"start_equity", "end_equity", "expectancy", "avg_win", "avg_loss"})
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2rem; }
table.metrics { border-collapse: collapse; margin: 1rem 0; }
table.metrics td, table.metrics th { padding: 0.25rem 0.9rem; border-bottom: 1px solid #ddd; }
table.metrics td.value { text-align: right; font-variant-numeric: tabular-nums; }
pre.config { background: #f6f6f6; padding: 1rem; overflow-x: auto; }
"""


def write_report(
    path: Path,
    *,
    title: str,
    equity: pd.Series,
    trades: pd.DataFrame,
    metrics: Mapping[str, Any],
    config_text: str,
) -> None:
    """Write a single HTML file that renders offline.

    Parameters
    ----------
    path
        Output file; parent directories are created. Overwritten if it exists.
    title
        Page title (HTML-escaped).
    equity
        Equity curve as accepted by :func:`quantrail.analytics.compute_metrics`.
    trades
        Round trips from :func:`quantrail.analytics.round_trips`; its ``pnl`` column feeds the
        histogram. May be empty.
    metrics
        Output of :func:`quantrail.analytics.compute_metrics` (any name to number or None).
    config_text
        The run configuration as text, shown verbatim (HTML-escaped).

    Notes
    -----
    plotly.js is embedded inline exactly once, so the file needs no network. The embedded
    library itself contains default URLs for features this report does not use (geo
    topojson, map tiles and icons); no ``<script src=...>`` is emitted.
    """
    equity = checked_equity(equity)  # fail before any chart is built, with the same message
    figures = (
        _equity_figure(equity),
        _drawdown_figure(equity),
        _monthly_figure(equity),
        _pnl_figure(trades),
    )
    sections = []
    for i, (chart_title, fig) in enumerate(zip(CHART_TITLES, figures, strict=True)):
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=i == 0,  # inline the library once; later charts reuse it
            div_id=f"chart-{i + 1}",  # fixed ids keep the file byte-for-byte reproducible
            config={"displaylogo": False, "responsive": True},
        )
        sections.append(f"<section><h2>{html.escape(chart_title)}</h2>\n{div}\n</section>")

    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            f"<h1>{html.escape(title)}</h1>",
            "<section><h2>Metrics</h2>",
            _metrics_table(metrics),
            "</section>",
            *sections,
            "<section><h2>Run configuration</h2>",
            f'<pre class="config">{html.escape(config_text)}</pre>',
            "</section>",
            "</body>",
            "</html>",
        ]
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")


def _layout(fig: go.Figure, **kwargs: Any) -> go.Figure:
    fig.update_layout(
        template="plotly_white", height=360, margin={"l": 60, "r": 20, "t": 20, "b": 40}, **kwargs
    )
    return fig


def _utc_axis(index: pd.Index) -> list[str]:
    # plotly.js has no time zones; send naive UTC wall-clock strings and label the axis.
    stamps = pd.DatetimeIndex(index)
    if stamps.tz is not None:
        stamps = stamps.tz_convert("UTC").tz_localize(None)
    return [ts.isoformat() for ts in stamps]


def _equity_figure(equity: pd.Series) -> go.Figure:
    trace = go.Scatter(x=_utc_axis(equity.index), y=equity.to_numpy(dtype=np.float64), mode="lines")
    return _layout(go.Figure(trace), yaxis_title="equity", xaxis_title="time (UTC)")


def _drawdown_figure(equity: pd.Series) -> go.Figure:
    dd = drawdown_series(equity)
    trace = go.Scatter(
        x=_utc_axis(dd.index),
        y=dd.to_numpy(dtype=np.float64) * 100.0,
        mode="lines",
        fill="tozeroy",
        line={"color": "firebrick"},
    )
    return _layout(go.Figure(trace), yaxis_title="drawdown (%)", xaxis_title="time (UTC)")


def _monthly_figure(equity: pd.Series) -> go.Figure:
    table = monthly_returns(equity) * 100.0
    # Missing months become None so they serialise as JSON null (blank cells), not NaN.
    z = [[None if math.isnan(v) else round(v, 4) for v in row] for row in table.to_numpy()]
    text = [["" if v is None else f"{v:.2f}" for v in row] for row in z]
    trace = go.Heatmap(
        z=z,
        x=list(_MONTHS),
        y=[str(year) for year in table.index],
        text=text,
        texttemplate="%{text}",
        colorscale="RdYlGn",
        zmid=0,
        colorbar={"title": {"text": "%"}},
    )
    return _layout(go.Figure(trace), yaxis={"type": "category", "autorange": "reversed"})


def _pnl_figure(trades: pd.DataFrame) -> go.Figure:
    if len(trades) and "pnl" in trades.columns:
        pnl = trades["pnl"].to_numpy(dtype=np.float64)
    else:
        pnl = np.empty(0, dtype=np.float64)
    fig = go.Figure(go.Histogram(x=pnl, marker={"color": "steelblue"}))
    if len(pnl) == 0:
        fig.add_annotation(
            text="no trades", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
        )
    return _layout(fig, xaxis_title="trade P&L (net)", yaxis_title="trades")


def _metrics_table(metrics: Mapping[str, Any]) -> str:
    rows = [
        f"<tr><th>{html.escape(key.replace('_', ' '))}</th>"
        f'<td class="value">{html.escape(_format(key, value))}</td></tr>'
        for key, value in metrics.items()
    ]
    return '<table class="metrics">\n' + "\n".join(rows) + "\n</table>"


def _format(key: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return str(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    number = float(value)
    if not math.isfinite(number):
        return "n/a"
    if key in _PERCENT_KEYS:
        return f"{number * 100:.2f}%"
    if key in _MONEY_KEYS:
        return f"{number:,.2f}"
    return f"{number:,.3f}"
