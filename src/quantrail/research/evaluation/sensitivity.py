"""Parameter sensitivity: does the result survive small changes to each parameter?

Each numeric strategy parameter is moved by each ``delta`` (default ±10 %, ±20 %) while the
others stay at their base values; ints are rounded half away from zero, and a value the
strategy's ``Params`` refuses (e.g. ``fast >= slow``) is recorded as invalid and not run. A
value equal to the base after rounding is recorded as unchanged. Every run uses the whole data
set through the event engine. An optional pair of parameters is swept on a 2-D grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.research.evaluation.params import perturb, strategy_params, with_params
from quantrail.research.evaluation.verdict import Verdict, headline

__all__ = [
    "DELTAS",
    "SensitivityBand",
    "SensitivityResult",
    "judge_sensitivity",
    "sensitivity",
]

DELTAS = (-0.2, -0.1, 0.1, 0.2)


@dataclass(frozen=True)
class SensitivityBand:
    """What a perturbed run must keep, per metric.

    Attributes
    ----------
    metrics : tuple of str
        The metrics checked (``compute_metrics`` keys, higher is better).
    max_drop : float
        Largest allowed fall relative to the base: the value must be at least
        ``base − max_drop × |base|`` (0.5: keep at least half of a positive base).
        Improvements always pass.
    floors : mapping
        Absolute minimums per metric (e.g. ``{"sharpe": 0.0}``: the sign must survive).
    """

    metrics: tuple[str, ...] = ("sharpe", "cagr")
    max_drop: float = 0.5
    floors: Mapping[str, float] = field(default_factory=dict)

    def check(self, base: Mapping[str, Any], value: Mapping[str, Any]) -> list[str]:
        """The reasons ``value`` falls outside the band around ``base`` (empty: inside)."""
        reasons = []
        for name in self.metrics:
            b, v = _number(base.get(name)), _number(value.get(name))
            if b is None:
                reasons.append(f"base {name} is undefined")
                continue
            if v is None:
                reasons.append(f"{name} is undefined")
                continue
            limit = b - self.max_drop * abs(b)
            if v < limit:
                reasons.append(f"{name} {v:.4g} < {limit:.4g} (base {b:.4g})")
            floor = self.floors.get(name)
            if floor is not None and v < floor:
                reasons.append(f"{name} {v:.4g} < floor {floor:.4g}")
        return reasons


@dataclass(frozen=True)
class SensitivityResult:
    """Base parameters and metrics, one row per (parameter, delta), the heatmap, the verdict."""

    base_params: dict[str, Any]
    base_metrics: dict[str, Any]
    rows: pd.DataFrame
    heatmap: pd.DataFrame | None
    heatmap_metric: str
    band: SensitivityBand
    verdict: Verdict


def sensitivity(
    config: RunConfig,
    *,
    params: Sequence[str] | None = None,
    deltas: Sequence[float] = DELTAS,
    band: SensitivityBand | None = None,
    pair: tuple[str, str] | None = None,
    heatmap_metric: str = "sharpe",
    base_dir: Path | None = None,
) -> SensitivityResult:
    """Perturb each parameter and judge the results against ``band``.

    Parameters
    ----------
    config
        The base run.
    params
        Names to perturb; default every int or float parameter of the strategy.
    deltas
        Relative changes (``-0.2`` is −20 %).
    band
        The pass/fail band (default :class:`SensitivityBand`).
    pair
        Two parameters swept together over ``deltas`` and 0 for the heatmap.
    heatmap_metric
        The metric shown in the heatmap.
    base_dir
        Directory relative data paths are resolved against.
    """
    band = band or SensitivityBand()
    base_params = strategy_params(config)
    names = list(params) if params is not None else _numeric(base_params)
    unknown = [n for n in [*names, *(pair or ())] if n not in base_params]
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; the strategy has {sorted(base_params)}")
    base_metrics = dict(run_backtest(config, base_dir=base_dir).metrics)
    rows = []
    for name in names:
        for delta in deltas:
            value = perturb(base_params[name], delta)
            row: dict[str, Any] = {"param": name, "delta": delta, "value": value}
            rows.append(row)
            if value is None:
                row["status"] = "not numeric"
                continue
            if value == base_params[name]:
                row["status"] = "unchanged"
                continue
            variant = with_params(config, {name: value})
            if variant is None:
                row["status"] = "invalid"
                continue
            metrics = run_backtest(variant, base_dir=base_dir).metrics
            row.update(headline(metrics))
            row.update({m: metrics.get(m) for m in band.metrics})
            row["status"] = "ok"
            row["reasons"] = "; ".join(_own(band.check(base_metrics, metrics)))
    table = _table(rows, band)
    heatmap = None
    if pair is not None:
        heatmap = _heatmap(config, base_params, pair, deltas, heatmap_metric, base_dir)
    return SensitivityResult(
        base_params=base_params,
        base_metrics=base_metrics,
        rows=table,
        heatmap=heatmap,
        heatmap_metric=heatmap_metric,
        band=band,
        verdict=judge_sensitivity(base_metrics, table, band),
    )


def judge_sensitivity(
    base: Mapping[str, Any], rows: pd.DataFrame, band: SensitivityBand
) -> Verdict:
    """PASS when the base is defined and every run perturbation stays inside the band.

    Rows not run (``status`` other than ``ok``) are ignored; with none run the verdict fails,
    because nothing was tested.
    """
    failures = [f"base {m} is undefined" for m in band.metrics if _number(base.get(m)) is None]
    ran = rows[rows["status"] == "ok"] if len(rows) else rows
    if len(ran) == 0:
        failures.append("no perturbation could be run")
    for record in ran.to_dict(orient="records"):
        row = {str(k): v for k, v in record.items()}
        reasons = _own(band.check(base, row))
        if reasons:
            failures.append(
                f"{row['param']} {row['delta']:+.0%} ({row['value']}): " + "; ".join(reasons)
            )
    return Verdict.of(failures)


def _own(reasons: list[str]) -> list[str]:
    # An undefined base is one failure of the whole test, not one per perturbed run.
    return [r for r in reasons if not r.startswith("base ")]


def _number(value: Any) -> float | None:
    """A finite float, or None for None/NaN/inf (pandas turns None into NaN in tables)."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _numeric(params: Mapping[str, Any]) -> list[str]:
    return [k for k, v in params.items() if isinstance(v, int | float) and not isinstance(v, bool)]


def _table(rows: list[dict[str, Any]], band: SensitivityBand) -> pd.DataFrame:
    metrics = list(dict.fromkeys([*headline({}), *band.metrics]))
    table = pd.DataFrame(rows, columns=["param", "delta", "value", "status", *metrics, "reasons"])
    table["reasons"] = table["reasons"].fillna("")
    return table


def _heatmap(
    config: RunConfig,
    base: Mapping[str, Any],
    pair: tuple[str, str],
    deltas: Sequence[float],
    metric: str,
    base_dir: Path | None,
) -> pd.DataFrame:
    """Metric per (value of pair[0], value of pair[1]); NaN where the combination is invalid."""
    steps = sorted({0.0, *deltas})
    xs = _distinct([perturb(base[pair[0]], d) for d in steps])
    ys = _distinct([perturb(base[pair[1]], d) for d in steps])
    grid = np.full((len(ys), len(xs)), np.nan)
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            variant = with_params(config, {pair[0]: x, pair[1]: y})
            if variant is not None:
                value = run_backtest(variant, base_dir=base_dir).metrics.get(metric)
                grid[j, i] = math.nan if value is None else float(value)
    return pd.DataFrame(grid, index=pd.Index(ys, name=pair[1]), columns=pd.Index(xs, name=pair[0]))


def _distinct(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v is not None and v not in out:
            out.append(v)
    return out
