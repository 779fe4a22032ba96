"""Walk-forward analysis: optimise on each training window, trade the choice on the next.

For every fold (see :func:`~quantrail.research.evaluation.windows.make_folds`) each valid
combination of the parameter grid runs through the event engine on the training window alone;
the best by ``metric`` (ties: the first in grid order) then runs on the test window alone.
The test windows' equity curves are chained by their returns into one out-of-sample curve.

Walk-forward efficiency (WFE) = annualised out-of-sample return / annualised in-sample return:
the CAGR of the chained out-of-sample curve over the mean, across folds, of the chosen
parameters' CAGR on their training window. It is ``None`` when the in-sample mean is not
positive (there was nothing to carry forward).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from quantrail.analytics import compute_metrics
from quantrail.engine.config import RunConfig
from quantrail.research.evaluation.params import expand_grid, with_params
from quantrail.research.evaluation.report import (
    Section,
    layout,
    utc_axis,
    write_html,
    write_json,
)
from quantrail.research.evaluation.runner import WindowedData, chained_equity, metric_of
from quantrail.research.evaluation.verdict import Verdict, headline
from quantrail.research.evaluation.windows import Fold, Length, make_folds

__all__ = ["FoldResult", "WalkForwardResult", "walk_forward", "write_walk_forward"]


@dataclass(frozen=True)
class FoldResult:
    """One fold: the chosen parameters, their in- and out-of-sample metrics, every trial."""

    fold: Fold
    params: dict[str, Any]
    is_metrics: dict[str, Any]
    oos_metrics: dict[str, Any]
    oos_equity: pd.Series
    trials: list[tuple[dict[str, Any], float]]  # (params, training-window metric)

    @property
    def efficiency(self) -> float | None:
        """This fold's OOS CAGR over its IS CAGR (``None`` unless the IS CAGR is positive)."""
        return _ratio(self.oos_metrics.get("cagr"), self.is_metrics.get("cagr"))


@dataclass(frozen=True)
class WalkForwardResult:
    """Every fold, the chained out-of-sample curve, its metrics, the efficiency and verdict."""

    metric: str
    anchored: bool
    folds: list[FoldResult]
    oos_equity: pd.Series
    oos_metrics: dict[str, Any]
    is_annual_return: float | None
    efficiency: float | None
    invalid: list[dict[str, Any]]
    verdict: Verdict


def walk_forward(
    config: RunConfig,
    grid: Mapping[str, Sequence[Any]],
    *,
    train: Length,
    test: Length,
    step: Length | None = None,
    anchored: bool = False,
    metric: str = "sharpe",
    warmup_bars: int = 0,
    min_efficiency: float = 0.5,
    base_dir: Path | None = None,
) -> WalkForwardResult:
    """Run a walk-forward analysis with the event engine.

    Parameters
    ----------
    config
        The run; its strategy parameters not in ``grid`` stay fixed.
    grid
        Parameter name to the values to try. Invalid combinations (refused by the strategy's
        ``Params``) are skipped and listed in ``invalid``.
    train, test, step, anchored
        Window lengths (bar counts or durations), see ``make_folds``.
    metric
        A ``compute_metrics`` key to maximise on each training window (``None`` ranks last).
    warmup_bars
        Bars run before each window but not measured (indicator warm-up).
    min_efficiency
        The verdict passes when WFE >= this and the out-of-sample return is positive.
    base_dir
        Directory relative data paths are resolved against.
    """
    candidates = []
    invalid = []
    for params in expand_grid(grid):
        variant = with_params(config, params)
        if variant is None:
            invalid.append(params)
        else:
            candidates.append((params, variant))
    if not candidates:
        raise ValueError("no valid parameter combination in the grid")
    with tempfile.TemporaryDirectory(prefix="quantrail-wf-") as workdir:
        data = WindowedData(config, Path(workdir), base_dir)
        folds = make_folds(data.timestamps, train=train, test=test, step=step, anchored=anchored)
        results = [_run_fold(data, fold, candidates, metric, warmup_bars) for fold in folds]
    oos = chained_equity([r.oos_equity for r in results], config.execution.cash)
    ppy = float(results[0].oos_metrics["periods_per_year"])
    oos_metrics: dict[str, Any] = compute_metrics(
        oos, periods_per_year=ppy, trades=pd.DataFrame(), turnover_notional=0.0
    )
    oos_metrics["num_trades"] = sum(int(r.oos_metrics.get("num_trades") or 0) for r in results)
    is_cagrs = [r.is_metrics["cagr"] for r in results if r.is_metrics.get("cagr") is not None]
    is_mean = float(np.mean(is_cagrs)) if is_cagrs else None
    efficiency = _ratio(oos_metrics.get("cagr"), is_mean)
    failures = []
    if efficiency is None:
        failures.append("the in-sample annualised return is not positive")
    elif efficiency < min_efficiency:
        failures.append(f"walk-forward efficiency {efficiency:.2f} < {min_efficiency:.2f}")
    if not (oos_metrics["total_return"] or 0.0) > 0.0:
        failures.append("the out-of-sample return is not positive")
    return WalkForwardResult(
        metric=metric,
        anchored=anchored,
        folds=results,
        oos_equity=oos,
        oos_metrics=oos_metrics,
        is_annual_return=is_mean,
        efficiency=efficiency,
        invalid=invalid,
        verdict=Verdict.of(failures),
    )


def _run_fold(
    data: WindowedData,
    fold: Fold,
    candidates: list[tuple[dict[str, Any], RunConfig]],
    metric: str,
    warmup_bars: int,
) -> FoldResult:
    train, test = fold.train, fold.test
    trials = []
    best: tuple[float, int] | None = None
    best_metrics: dict[str, Any] = {}
    for i, (params, variant) in enumerate(candidates):
        run = data.run(variant, train.start, train.end, warmup_bars=warmup_bars)
        score = metric_of(run.metrics, metric)
        trials.append((params, score))
        if best is None or score > best[0]:  # strict: the first of equal scores wins
            best, best_metrics = (score, i), run.metrics
    assert best is not None
    params, chosen = candidates[best[1]]
    oos = data.run(chosen, test.start, test.end, warmup_bars=warmup_bars)
    return FoldResult(fold, params, best_metrics, oos.metrics, oos.equity, trials)


def _ratio(numerator: Any, denominator: Any) -> float | None:
    if numerator is None or denominator is None or not float(denominator) > 0.0:
        return None
    return float(numerator) / float(denominator)


def fold_table(result: WalkForwardResult) -> pd.DataFrame:
    """One row per fold: windows, chosen parameters, IS and OOS headline metrics, efficiency."""
    rows = []
    for r in result.folds:
        row: dict[str, Any] = {
            "fold": r.fold.index + 1,
            "train": r.fold.train.label,
            "test": r.fold.test.label,
            "train_bars": r.fold.train.bars,
            "test_bars": r.fold.test.bars,
        }
        row.update({f"param_{k}": v for k, v in r.params.items()})
        row.update({f"is_{k}": v for k, v in headline(r.is_metrics).items()})
        row.update({f"oos_{k}": v for k, v in headline(r.oos_metrics).items()})
        row["efficiency"] = r.efficiency
        rows.append(row)
    return pd.DataFrame(rows)


def write_walk_forward(
    result: WalkForwardResult,
    out: Path,
    *,
    title: str = "Walk-forward analysis",
    config_text: str | None = None,
) -> dict[str, Path]:
    """Write ``walkforward.json``, ``folds.csv``, ``trials.csv``, ``oos_equity.csv`` and
    ``report.html`` into ``out``; return their paths by name."""
    out.mkdir(parents=True, exist_ok=True)
    folds = fold_table(result)
    trials = pd.DataFrame(
        [
            {"fold": r.fold.index + 1, **params, result.metric: score}
            for r in result.folds
            for params, score in r.trials
        ]
    )
    summary = {
        "metric": result.metric,
        "anchored": result.anchored,
        "folds": len(result.folds),
        "oos": headline(result.oos_metrics),
        "is_annual_return": result.is_annual_return,
        "oos_annual_return": result.oos_metrics.get("cagr"),
        "efficiency": result.efficiency,
        "invalid_params": result.invalid,
        "verdict": result.verdict.to_dict(),
    }
    paths = {name: out / name for name in ("walkforward.json", "folds.csv", "trials.csv")}
    paths["oos_equity.csv"] = out / "oos_equity.csv"
    paths["report.html"] = out / "report.html"
    write_json(paths["walkforward.json"], {**summary, "fold_table": folds})
    folds.to_csv(paths["folds.csv"], index=False)
    trials.replace([np.inf, -np.inf], np.nan).to_csv(paths["trials.csv"], index=False)
    result.oos_equity.rename_axis("ts").to_csv(paths["oos_equity.csv"])
    summary_table = pd.DataFrame(
        [{"measure": k, "value": v} for k, v in summary.items() if not isinstance(v, dict | list)]
        + [{"measure": f"oos {k}", "value": v} for k, v in headline(result.oos_metrics).items()]
    )
    sections = [
        Section("Summary", _NOTE, summary_table),
        Section("Chained out-of-sample equity", figure=_equity_figure(result)),
        Section("Folds", table=folds),
        Section(f"In-sample vs out-of-sample {result.metric}", figure=_is_oos_figure(result)),
        Section("Chosen parameters per fold", figure=_params_figure(result)),
    ]
    write_html(
        paths["report.html"],
        title=title,
        verdict=str(result.verdict),
        sections=sections,
        config_text=config_text,
    )
    return paths


_NOTE = (
    "Efficiency = CAGR of the chained out-of-sample curve / mean in-sample CAGR of the chosen "
    "parameters. Each window ran alone through the event engine on its own bars."
)


def _equity_figure(result: WalkForwardResult) -> go.Figure:
    eq = result.oos_equity
    fig = go.Figure(go.Scatter(x=utc_axis(eq.index), y=eq.to_numpy(), mode="lines", name="OOS"))
    for r in result.folds[1:]:
        fig.add_vline(x=utc_axis(r.oos_equity.index[:1])[0], line={"dash": "dot", "width": 1})
    return layout(fig, yaxis_title="equity", xaxis_title="time (UTC)")


def _is_oos_figure(result: WalkForwardResult) -> go.Figure:
    x = [f"fold {r.fold.index + 1}" for r in result.folds]
    fig = go.Figure()
    for name, key in (("in-sample", "is_metrics"), ("out-of-sample", "oos_metrics")):
        y = [getattr(r, key).get(result.metric) for r in result.folds]
        fig.add_trace(go.Bar(x=x, y=y, name=name))
    return layout(fig, barmode="group", yaxis_title=result.metric)


def _params_figure(result: WalkForwardResult) -> go.Figure:
    x = [r.fold.index + 1 for r in result.folds]
    fig = go.Figure()
    for name in result.folds[0].params:
        y = [r.params.get(name) for r in result.folds]
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=name))
    return layout(fig, xaxis_title="fold", yaxis_title="value")
