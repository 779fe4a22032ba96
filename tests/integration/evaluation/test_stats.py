"""Overfitting statistics of a real run, with and without a parameter grid."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from quantrail.analytics import probabilistic_sharpe_ratio
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.research.evaluation import overfitting_stats, write_stats
from quantrail.research.evaluation.stats import sharpe_inputs

GRID = {"fast": [5, 10, 20, 40], "slow": [50, 100]}


@pytest.fixture
def config(spy_config: dict[str, object]) -> RunConfig:
    return RunConfig.model_validate(spy_config)


def test_psr_uses_the_runs_own_metrics(config: RunConfig) -> None:
    metrics = run_backtest(config).metrics
    inputs = sharpe_inputs(metrics)
    assert inputs is not None
    sr, n, skew, kurtosis = inputs
    assert sr == pytest.approx(metrics["sharpe"] / math.sqrt(252))
    assert (n, skew, kurtosis) == (metrics["num_periods"], metrics["skew"], metrics["kurtosis"] + 3)
    result = overfitting_stats(config, n_sims=100)
    assert result.values["psr"] == probabilistic_sharpe_ratio(sr, n, skew=skew, kurtosis=kurtosis)
    assert "dsr" not in result.values  # no grid, no trials to deflate by
    # A 0.34 Sharpe over ten years is not significant at 95 %: the verdict says so.
    assert not result.verdict.passed
    assert any(reason.startswith("PSR") for reason in result.verdict.reasons)


def test_grid_gives_dsr_pbo_and_the_selected_trial(config: RunConfig, tmp_path: Path) -> None:
    result = overfitting_stats(config, grid=GRID, n_blocks=8, n_sims=200, seed=3)
    values = result.values
    trials = result.trials
    assert values["trials"] == len(trials) == 8
    best = trials.iloc[int(np.argmax(trials["sharpe"].to_numpy(dtype=float)))]
    assert values["selected"] == {"fast": int(best["fast"]), "slow": int(best["slow"])}
    assert isinstance(values["selected"]["fast"], int)
    assert 0.0 <= values["dsr"] <= 1.0
    assert values["trials_sharpe_variance"] == pytest.approx(np.var(trials["sr"], ddof=1))
    assert result.pbo is not None
    assert result.pbo.n_combinations == math.comb(8, 4)
    assert 0.0 <= values["pbo"] <= 1.0
    mc = values["monte_carlo"]
    assert mc["simulations"] == 200
    assert mc["max_drawdown_p5"] <= mc["max_drawdown_p50"] <= mc["max_drawdown_p95"] <= 0
    assert values["top_10pct_share"] is not None
    paths = write_stats(result, tmp_path)
    assert json.loads(paths["stats.json"].read_text())["trials"] == 8
    assert paths["trials.csv"].exists()
    page = paths["report.html"].read_text()
    assert page.count("plotly.js v") == 1
    assert "<script src" not in page
