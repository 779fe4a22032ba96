"""Output files of the sensitivity, robustness (with cost stress), look-ahead and stats
evaluations: a JSON summary, CSV tables and one self-contained ``report.html`` each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from quantrail.research.evaluation.costs import CostStressResult
from quantrail.research.evaluation.lookahead import LookaheadResult
from quantrail.research.evaluation.report import Section, layout, utc_axis, write_html, write_json
from quantrail.research.evaluation.robustness import RobustnessResult
from quantrail.research.evaluation.sensitivity import SensitivityResult
from quantrail.research.evaluation.stats import StatsResult
from quantrail.research.evaluation.verdict import Verdict, headline

__all__ = ["write_lookahead", "write_robustness", "write_sensitivity", "write_stats"]

_DIFFERENCES_SHOWN = 200  # the HTML lists the first ones; the CSV has them all


def write_sensitivity(
    result: SensitivityResult, out: Path, *, config_text: str | None = None
) -> dict[str, Path]:
    """``sensitivity.json``, ``sensitivity.csv``, ``heatmap.csv`` (with a pair), ``report.html``."""
    paths = _paths(out, "sensitivity.json", "sensitivity.csv", "report.html")
    band = result.band
    write_json(
        paths["sensitivity.json"],
        {
            "base_params": result.base_params,
            "base": headline(result.base_metrics),
            "band": {"metrics": band.metrics, "max_drop": band.max_drop, "floors": band.floors},
            "rows": result.rows,
            "verdict": result.verdict.to_dict(),
        },
    )
    result.rows.to_csv(paths["sensitivity.csv"], index=False)
    metric = result.heatmap_metric
    fig = go.Figure()
    for name, part in result.rows[result.rows["status"] == "ok"].groupby("param", sort=False):
        x = [0.0, *(part["delta"] * 100)]
        y = [result.base_metrics.get(metric), *part[metric]]
        order = np.argsort(x)
        fig.add_trace(
            go.Scatter(
                x=np.array(x)[order],
                y=np.array(y, dtype=float)[order],
                mode="lines+markers",
                name=str(name),
            )
        )
    sections = [
        Section("Base", table=_kv({**result.base_params, **headline(result.base_metrics)})),
        Section(
            "Perturbations",
            f"Band: each of {', '.join(band.metrics)} must stay at or above base - "
            f"{band.max_drop:.0%} x |base|; floors {dict(band.floors) or 'none'}.",
            result.rows,
        ),
        Section(f"{metric} vs parameter change (%)", figure=layout(fig, xaxis_title="change %")),
    ]
    if result.heatmap is not None:
        paths["heatmap.csv"] = out / "heatmap.csv"
        result.heatmap.to_csv(paths["heatmap.csv"])
        hm = result.heatmap
        trace = go.Heatmap(
            z=_nulls(hm.to_numpy()),
            x=[str(v) for v in hm.columns],
            y=[str(v) for v in hm.index],
            colorscale="RdYlGn",
            zmid=0,
        )
        fig2 = layout(go.Figure(trace), xaxis_title=hm.columns.name, yaxis_title=hm.index.name)
        sections.append(Section(f"{metric} heatmap", "Blank: an invalid combination.", None, fig2))
    _html(paths, "Parameter sensitivity", result.verdict, sections, config_text)
    return paths


def write_robustness(
    result: RobustnessResult,
    out: Path,
    *,
    costs: CostStressResult | None = None,
    config_text: str | None = None,
) -> dict[str, Path]:
    """``robustness.json``, ``robustness.csv``, ``costs.csv`` (with costs), ``report.html``."""
    paths = _paths(out, "robustness.json", "robustness.csv", "report.html")
    verdicts = {"robustness": result.verdict.to_dict()}
    payload: dict[str, Any] = {"metric": result.metric, "table": result.table}
    payload["min_positive_share"] = result.min_positive_share
    pivot = result.pivot()
    trace = go.Heatmap(
        z=_nulls(pivot.to_numpy(dtype=float)),
        x=[str(c) for c in pivot.columns],
        y=list(pivot.index),
        colorscale="RdYlGn",
        zmid=0,
    )
    sections = [
        Section("Per symbol and window", "Window 'full' is the whole history.", result.table),
        Section(f"{result.metric} by symbol and window", figure=layout(go.Figure(trace))),
    ]
    verdict = result.verdict
    if costs is not None:
        paths["costs.csv"] = out / "costs.csv"
        costs.table.to_csv(paths["costs.csv"], index=False)
        verdicts["cost_stress"] = costs.verdict.to_dict()
        payload["costs"] = costs.table
        fig = go.Figure()
        for k, eq in costs.equity.items():
            fig.add_trace(go.Scatter(x=utc_axis(eq.index), y=eq.to_numpy(), name=f"costs x{k:g}"))
        note = (
            "The edge must survive (return > 0, Sharpe > 0) every multiplier up to "
            f"x{costs.required:g}."
        )
        sections += [
            Section("Cost stress", note, costs.table),
            Section("Equity under cost multipliers", figure=layout(fig, yaxis_title="equity")),
        ]
        verdict = Verdict.of([*result.verdict.reasons, *costs.verdict.reasons])
    payload["verdict"] = {**verdicts, "overall": verdict.to_dict()}
    write_json(paths["robustness.json"], payload)
    result.table.to_csv(paths["robustness.csv"], index=False)
    _html(paths, "Robustness across symbols, windows and costs", verdict, sections, config_text)
    return paths


def write_lookahead(
    result: LookaheadResult, out: Path, *, config_text: str | None = None
) -> dict[str, Path]:
    """``lookahead.json``, ``differences.csv``, ``report.html``."""
    paths = _paths(out, "lookahead.json", "differences.csv", "report.html")
    write_json(
        paths["lookahead.json"],
        {
            "cuts": result.cuts,
            "checked": result.checked,
            "differences": result.differences.head(_DIFFERENCES_SHOWN),
            "verdict": result.verdict.to_dict(),
        },
    )
    result.differences.to_csv(paths["differences.csv"], index=False)
    shown = result.differences.sort_values(["ts", "cut"]).head(_DIFFERENCES_SHOWN)
    eq = result.equity
    fig = go.Figure(go.Scatter(x=utc_axis(eq.index), y=eq.to_numpy(), mode="lines", name="equity"))
    for cut in result.cuts:
        fig.add_vline(x=utc_axis(pd.DatetimeIndex([cut]))[0], line={"dash": "dot", "width": 1})
    if len(shown):
        at = pd.DatetimeIndex(shown["ts"])
        y = eq.reindex(at, method="ffill").to_numpy()
        marker = {"color": "firebrick", "size": 9, "symbol": "x"}
        fig.add_trace(
            go.Scatter(
                x=utc_axis(at),
                y=y,
                mode="markers",
                marker=marker,
                name="difference",
                text=list(shown["field"]),
            )
        )
    sections = [
        Section("Cut points", "Each cut: a run on the bars known at or before it.", result.checked),
        Section("Full run, cuts (dotted) and differences (x)", figure=layout(fig)),
        Section("Differences (earliest first)", "None: no look-ahead found.", shown.astype(str)),
    ]
    _html(paths, "Look-ahead check", result.verdict, sections, config_text)
    return paths


def write_stats(
    result: StatsResult, out: Path, *, config_text: str | None = None
) -> dict[str, Path]:
    """``stats.json``, ``trials.csv`` (with a grid), ``report.html``."""
    paths = _paths(out, "stats.json", "report.html")
    write_json(paths["stats.json"], {**result.values, "verdict": result.verdict.to_dict()})
    flat = {k: v for k, v in result.values.items() if not isinstance(v, dict)}
    sections = [Section("Statistics", table=_kv(flat))]
    if result.monte_carlo is not None:
        mc = result.monte_carlo
        sections.append(Section(f"Monte Carlo of trades ({mc.method})", table=_kv(mc.summary())))
        for title, data in (("final P&L", mc.final_pnl), ("max drawdown", mc.max_drawdown)):
            fig = layout(go.Figure(go.Histogram(x=data)), xaxis_title=title, yaxis_title="paths")
            sections.append(Section(f"Simulated {title}", figure=fig))
    if len(result.trials):
        paths["trials.csv"] = out / "trials.csv"
        result.trials.to_csv(paths["trials.csv"], index=False)
        sections.append(Section("Trials", table=result.trials))
    if result.pbo is not None:
        fig = layout(go.Figure(go.Histogram(x=result.pbo.logits)), xaxis_title="logit")
        sections.append(
            Section(
                "PBO: logits of the selected trial's OOS rank",
                "PBO = share of logits <= 0.",
                figure=fig,
            )
        )
    _html(paths, "Overfitting statistics", result.verdict, sections, config_text)
    return paths


def _paths(out: Path, *names: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return {name: out / name for name in names}


def _html(
    paths: dict[str, Path], title: str, verdict: Verdict, sections: list[Section], text: str | None
) -> None:
    write_html(
        paths["report.html"], title=title, verdict=str(verdict), sections=sections, config_text=text
    )


def _kv(values: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({"name": list(values), "value": [str(_round(v)) for v in values.values()]})


def _round(value: Any) -> Any:
    return f"{value:.4g}" if isinstance(value, float) else value


def _nulls(matrix: np.ndarray) -> list[list[float | None]]:
    # NaN would serialise as invalid JSON in the chart; None becomes null (a blank cell).
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in matrix]
