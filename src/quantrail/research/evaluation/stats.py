"""Overfitting statistics of a run: PSR, and with a parameter grid DSR and PBO; trade Monte Carlo.

The run's Sharpe ratio, skew and kurtosis come from its own metrics (``compute_metrics``, the
single definition): per period, ``SR = sharpe / sqrt(periods_per_year)``; the kurtosis passed to
PSR is the reported excess kurtosis + 3. With a grid, every valid combination runs on the
whole data; the trials' per-period Sharpe ratios give DSR's ``N`` and variance, the best trial
(by Sharpe) is the selected one, and the trials' return series (aligned on the same bars) feed
PBO. Formulas: docs/evaluation.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from quantrail.analytics import (
    PBOResult,
    TradeMonteCarlo,
    deflated_sharpe_ratio,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
    top_trades_profit_share,
    trade_monte_carlo,
)
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.research.evaluation.params import expand_grid, with_params
from quantrail.research.evaluation.verdict import Verdict

__all__ = ["StatsResult", "StatsThresholds", "overfitting_stats", "sharpe_inputs"]


@dataclass(frozen=True)
class StatsThresholds:
    """Pass marks: PSR and DSR at least ``min_psr`` / ``min_dsr``, PBO at most ``max_pbo``,
    the best 10 % of trades at most ``max_top_share`` of the net profit, and a Monte Carlo
    ruin probability at most ``max_ruin``."""

    min_psr: float = 0.95
    min_dsr: float = 0.95
    max_pbo: float = 0.5
    max_top_share: float = 1.0
    max_ruin: float = 0.01


@dataclass(frozen=True)
class StatsResult:
    """Every statistic computed, the trial table (with a grid) and the verdict."""

    values: dict[str, Any]
    trials: pd.DataFrame
    pbo: PBOResult | None
    monte_carlo: TradeMonteCarlo | None
    equity: pd.Series
    verdict: Verdict


def sharpe_inputs(metrics: Mapping[str, Any]) -> tuple[float, int, float, float] | None:
    """``(per-period SR, n, skew, non-excess kurtosis)`` from run metrics, or ``None`` when the
    Sharpe ratio or a moment is undefined (too few returns, no dispersion, a ruined account)."""
    keys = ("sharpe", "periods_per_year", "num_periods", "skew", "kurtosis")
    found = [metrics.get(key) for key in keys]
    numbers = [float(value) for value in found if value is not None]
    if len(numbers) != len(keys):
        return None
    sharpe, ppy, n, skew, excess = numbers
    return sharpe / math.sqrt(ppy), int(n), skew, excess + 3.0


def overfitting_stats(
    config: RunConfig,
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    n_blocks: int = 16,
    n_sims: int = 1000,
    method: Literal["bootstrap", "shuffle"] = "bootstrap",
    seed: int = 0,
    thresholds: StatsThresholds | None = None,
    base_dir: Path | None = None,
) -> StatsResult:
    """Compute the statistics for ``config`` (and its grid) and judge them.

    ``n_blocks`` is reduced to the largest even number that leaves two bars per block when the
    data is short. Monte Carlo resamples the run's round trips (``method`` ``"bootstrap"`` or
    ``"shuffle"``, seeded).
    """
    marks = thresholds or StatsThresholds()
    result = run_backtest(config, base_dir=base_dir)
    values: dict[str, Any] = {"sharpe": result.metrics.get("sharpe")}
    failures: list[str] = []
    inputs = sharpe_inputs(result.metrics)
    if inputs is None:
        failures.append("the Sharpe ratio or its moments are undefined")
    else:
        sr, n, skew, kurt = inputs
        values["psr"] = probabilistic_sharpe_ratio(sr, n, skew=skew, kurtosis=kurt)
        if values["psr"] < marks.min_psr:
            failures.append(f"PSR {values['psr']:.3f} < {marks.min_psr}")
    trials = pd.DataFrame()
    pbo = None
    if grid:
        trials, returns, tried = _run_trials(config, grid, base_dir)
        pbo = _grid_stats(trials, returns, n_blocks, values, marks, failures)
        if "selected" in values:  # the parameters as given: the table may hold them as floats
            values["selected"] = tried[values["selected"]]
    pnl = result.trades["pnl"].to_numpy(dtype=np.float64) if len(result.trades) else np.zeros(0)
    values["num_trades"] = len(pnl)
    values["top_10pct_share"] = top_trades_profit_share(pnl) if len(pnl) else None
    share = values["top_10pct_share"]
    if share is not None and share > marks.max_top_share:
        failures.append(f"the best 10% of trades make {share:.0%} of the net profit")
    monte_carlo = None
    if len(pnl):
        monte_carlo = trade_monte_carlo(
            pnl, start_equity=config.execution.cash, n_sims=n_sims, method=method, seed=seed
        )
        values["monte_carlo"] = monte_carlo.summary()
        ruin = values["monte_carlo"]["ruin_probability"]
        if ruin > marks.max_ruin:
            failures.append(f"Monte Carlo ruin probability {ruin:.1%} > {marks.max_ruin:.1%}")
    return StatsResult(values, trials, pbo, monte_carlo, result.equity, Verdict.of(failures))


def _run_trials(
    config: RunConfig, grid: Mapping[str, Sequence[Any]], base_dir: Path | None
) -> tuple[pd.DataFrame, np.ndarray, list[dict[str, Any]]]:
    rows = []
    columns = []
    tried = []
    for params in expand_grid(grid):
        variant = with_params(config, params)
        if variant is None:
            continue
        tried.append(params)
        trial = run_backtest(variant, base_dir=base_dir)
        inputs = sharpe_inputs(trial.metrics)
        rows.append({**params, "sharpe": trial.metrics.get("sharpe"), "sr": _first(inputs)})
        rows[-1].update(skew=_nth(inputs, 2), kurtosis=_nth(inputs, 3), n=_nth(inputs, 1))
        columns.append(trial.equity.pct_change().iloc[1:].to_numpy(dtype=np.float64))
    if len(rows) < 2:
        raise ValueError("the grid needs at least two valid combinations")
    return pd.DataFrame(rows), np.column_stack(columns), tried


def _grid_stats(
    trials: pd.DataFrame,
    returns: np.ndarray,
    n_blocks: int,
    values: dict[str, Any],
    marks: StatsThresholds,
    failures: list[str],
) -> PBOResult:
    per_period = pd.to_numeric(trials["sr"], errors="coerce").to_numpy(dtype=np.float64)
    defined = np.isfinite(per_period)
    values["trials"] = len(trials)
    if defined.sum() < 2:
        failures.append("fewer than two trials have a defined Sharpe ratio: no DSR")
    else:
        values["trials_sharpe_variance"] = float(np.var(per_period[defined], ddof=1))
        best = int(np.argmax(np.where(defined, per_period, -np.inf)))
        row = trials.iloc[best]
        values["selected"] = best
        values["dsr"] = deflated_sharpe_ratio(
            float(row["sr"]),
            int(row["n"]),
            n_trials=len(trials),
            trials_variance=values["trials_sharpe_variance"],
            skew=float(row["skew"]),
            kurtosis=float(row["kurtosis"]),
        )
        if values["dsr"] < marks.min_dsr:
            failures.append(f"DSR {values['dsr']:.3f} < {marks.min_dsr}")
    blocks = min(n_blocks, (len(returns) // 2) // 2 * 2)
    pbo = probability_of_backtest_overfitting(np.nan_to_num(returns), n_blocks=blocks)
    values.update(pbo=pbo.pbo, pbo_blocks=blocks, pbo_prob_oos_loss=pbo.prob_oos_loss)
    if pbo.pbo > marks.max_pbo:
        failures.append(f"PBO {pbo.pbo:.2f} > {marks.max_pbo}")
    return pbo


def _first(inputs: tuple[float, int, float, float] | None) -> float | None:
    return None if inputs is None else inputs[0]


def _nth(inputs: tuple[float, int, float, float] | None, i: int) -> float | None:
    return None if inputs is None else float(inputs[i])
