"""A sweep's outputs: results.csv, best.json and a self-contained report.html."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from quantrail.research.sweeper import SweepResult
from quantrail.research.trials import TrialRecord

__all__ = ["results_frame", "write_sweep_outputs"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { padding: 0.25rem 0.9rem; border-bottom: 1px solid #ddd; text-align: left; }
"""


def results_frame(result: SweepResult) -> pd.DataFrame:
    """One row per trial: number, state, engine, the parameters, then every metric."""
    names = [a.name for a in result.axes]
    rows = []
    for r in result.records:
        row: dict[str, Any] = {"trial": r.trial, "state": r.state, "engine": r.engine}
        row.update({name: r.params.get(name) for name in names})
        row.update(r.metrics or {})
        row["error"] = r.error
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame if len(frame) else pd.DataFrame(columns=["trial", "state", "engine", *names])


def _summary(record: TrialRecord) -> dict[str, Any]:
    return {
        "trial": record.trial,
        "params": record.params,
        "values": record.values,
        "engine": record.engine,
        "metrics": record.metrics,
    }


def _best(result: SweepResult) -> dict[str, Any]:
    counts = {
        s: sum(r.state == s for r in result.records) for s in ("complete", "invalid", "failed")
    }
    out: dict[str, Any] = {
        "method": result.method,
        "objectives": [[o.name, o.direction] for o in result.objectives],
        "trials": len(result.records),
        **counts,
    }
    best = result.best()
    out["best"] = None if best is None else _summary(best)
    if len(result.objectives) > 1:
        out["pareto_front"] = [_summary(r) for r in result.pareto()]
    return out


def _figures(result: SweepResult) -> list[tuple[str, go.Figure]]:
    scored = result.scored()
    figures: list[tuple[str, go.Figure]] = []
    for k, objective in enumerate(result.objectives):
        xs = [r.trial for r in scored]
        ys = [r.values[k] if r.values else None for r in scored]
        fig = go.Figure(go.Scatter(x=xs, y=ys, mode="markers", name=objective.name))
        fig.update_layout(xaxis_title="trial", yaxis_title=objective.name)
        figures.append((f"{objective.name} ({objective.direction}) by trial", fig))
    varying = [a for a in result.axes if len(a.values) > 1]
    if len(varying) == 2 and scored:
        x_axis, y_axis = varying
        first = result.objectives[0].name
        table = pd.DataFrame(
            [
                (r.params[x_axis.name], r.params[y_axis.name], r.values[0])
                for r in scored
                if r.values
            ],
            columns=["x", "y", "v"],
        ).pivot_table(index="y", columns="x", values="v", aggfunc="mean")
        fig = go.Figure(
            go.Heatmap(
                z=table.to_numpy(), x=[str(v) for v in table.columns],
                y=[str(v) for v in table.index], colorbar={"title": first},
            )
        )  # fmt: skip
        fig.update_layout(xaxis_title=x_axis.name, yaxis_title=y_axis.name)
        figures.append((f"{first} over {x_axis.name} x {y_axis.name}", fig))
    if len(result.objectives) >= 2 and scored:
        a, b = result.objectives[0].name, result.objectives[1].name
        front = sorted(
            result.pareto(), key=lambda r: float(r.values[0] or 0.0) if r.values else 0.0
        )
        fig = go.Figure()
        fig.add_trace(
            go.Scatter(
                x=[r.values[0] for r in scored if r.values],
                y=[r.values[1] for r in scored if r.values],
                mode="markers", name="trials", marker={"color": "#bbb"},
                text=[f"trial {r.trial}" for r in scored],
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=[r.values[0] for r in front if r.values],
                y=[r.values[1] for r in front if r.values],
                mode="lines+markers", name="Pareto front",
                text=[f"trial {r.trial}: {r.params}" for r in front],
            )
        )  # fmt: skip
        fig.update_layout(xaxis_title=a, yaxis_title=b)
        figures.append((f"Pareto front: {a} vs {b}", fig))
    return figures


def _report(result: SweepResult, title: str) -> str:
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(result.method)} search, {len(result.records)} trials "
        f"({len(result.scored())} scored).</p>",
    ]
    best = result.best()
    if best is not None:
        cells = "".join(
            f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(repr(v))}</td></tr>"
            for k, v in {**best.params, "trial": best.trial, "engine": best.engine}.items()
        )
        parts.append(f"<h2>Best on {html.escape(result.objectives[0].name)}</h2>")
        parts.append(f"<table>{cells}</table>")
    for i, (caption, fig) in enumerate(_figures(result)):
        fig.update_layout(title=caption, template="plotly_white", height=420)
        # plotly.js is inlined once, so the page opens offline; fixed ids keep it reproducible.
        parts.append(
            fig.to_html(full_html=False, include_plotlyjs=i == 0, div_id=f"sweep-chart-{i}")
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_sweep_outputs(result: SweepResult, out: Path, *, title: str = "Sweep") -> list[Path]:
    """Write ``results.csv``, ``best.json`` and ``report.html`` into ``out``; return the paths.

    ``best.json`` holds the trial counts, the best trial on the first objective and, with
    several objectives, the Pareto front.
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "results.csv", out / "best.json", out / "report.html"]
    results_frame(result).to_csv(paths[0], index=False)
    paths[1].write_text(json.dumps(_best(result), indent=2, allow_nan=False) + "\n")
    paths[2].write_text(_report(result, title), encoding="utf-8")
    return paths
