"""Robustness on two bundled symbols and sub-periods; cost stress monotonicity."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantrail.engine.config import RunConfig
from quantrail.execution.config import ExecutionConfig
from quantrail.research.evaluation import (
    cost_stress,
    robustness,
    scale_costs,
    symbol_data,
    write_robustness,
)
from quantrail.research.evaluation.robustness import judge_robustness
from tests.conftest import DATA


@pytest.fixture
def config(spy_config: dict[str, object]) -> RunConfig:
    return RunConfig.model_validate(spy_config)


def test_robustness_on_spy_and_aapl_by_year(config: RunConfig, tmp_path: Path) -> None:
    aapl = symbol_data(config.data[0], "AAPL", DATA / "equity_daily_AAPL.csv")
    result = robustness(config, symbols=[config.data[0], aapl], windows="yearly")
    table = result.table
    assert set(table["symbol"]) == {"SPY", "AAPL"}
    spy_years = table[(table["symbol"] == "SPY") & (table["window"] != "full")]["window"]
    assert list(spy_years) == [str(y) for y in range(2008, 2018)]
    full = table[table["window"] == "full"].set_index("symbol")
    assert full.loc["SPY", "sharpe"] == pytest.approx(0.3415, abs=1e-4)  # the golden SPY run
    # Each year ran alone: its bar count is that year's, not the history's.
    assert table[table["window"] != "full"]["bars"].max() < 260
    pivot = result.pivot()
    assert pivot.shape == (2, table[table["window"] != "full"]["window"].nunique())
    expected = judge_robustness(table, "sharpe", 0.6)
    assert result.verdict == expected

    costs = cost_stress(config, multipliers=(2.0,))
    paths = write_robustness(result, tmp_path, costs=costs, config_text="x")
    payload = json.loads(paths["robustness.json"].read_text())
    assert set(payload["verdict"]) == {"robustness", "cost_stress", "overall"}
    assert "<script src" not in paths["report.html"].read_text()


def test_robustness_equal_windows_on_the_configs_own_data(config: RunConfig) -> None:
    result = robustness(config, windows=4)
    cells = result.table[result.table["window"] != "full"]
    assert len(cells) == 4
    assert cells["bars"].sum() <= 2519  # returns per window: bars - 1 each


def test_robustness_verdict_counts_undefined_as_not_surviving() -> None:
    table = pd.DataFrame(
        {
            "symbol": ["A", "A", "A", "B", "B", "B"],
            "window": ["full", "1", "2", "full", "1", "2"],
            "sharpe": [0.5, 0.3, None, 0.4, 0.2, 0.1],
        }
    )
    assert judge_robustness(table, "sharpe", 0.75).passed  # 3 of 4 windows, 2 of 2 symbols
    failed = judge_robustness(table, "sharpe", 0.8)
    assert failed.reasons == ("sharpe > 0 in 75% of windows, below 80%",)


def test_scale_costs_multiplies_every_cost() -> None:
    base = ExecutionConfig.model_validate(
        {
            "commission": {
                "per_share": 0.01,
                "minimum": 1,
                "maximum": 5,
                "percent": 0.1,
                "fixed": 2,
            },
            "spread_bps": 3,
            "slippage": {"fixed_bps": 2, "volatility_factor": 0.1, "impact_factor": 0.2},
        }
    )
    double = scale_costs(base, 2)
    assert double.commission.model_dump() == {
        "per_share": 0.02, "minimum": 2, "maximum": 10, "percent": 0.2, "fixed": 4,
    }  # fmt: skip
    assert double.spread_bps == 6
    assert (double.slippage.fixed_bps, double.slippage.impact_factor) == (4, 0.4)
    assert double.slippage.volatility_factor == pytest.approx(0.2)
    assert double.slippage.volatility_window == base.slippage.volatility_window
    assert scale_costs(base, 1) == base
    with pytest.raises(ValueError, match="multiplier"):
        scale_costs(base, -1)


@pytest.mark.parametrize(
    ("strategy", "params"),
    [("sma_cross", {"fast": 10, "slow": 30, "quantity": 100}), ("rsi_reversion", {})],
)
def test_higher_costs_never_improve_pnl(
    spy_config: dict[str, object], strategy: str, params: dict[str, object]
) -> None:
    config = RunConfig.model_validate(
        {**spy_config, "strategy": {"name": strategy, "params": params}}
    )
    result = cost_stress(config, multipliers=(0.0, 0.5, 2.0, 3.0))
    table = result.table
    assert list(table["multiplier"]) == [0.0, 0.5, 1.0, 2.0, 3.0]
    assert np.all(np.diff(table["final_equity"]) <= 1e-9)
    assert np.all(np.diff(table["costs"]) >= 0)
    # At x0 only the rounding of fill prices to the tick remains (booked as slippage).
    assert set(result.equity) == {0.0, 0.5, 1.0, 2.0, 3.0}
    assert 0.0 <= table["costs"].iloc[0] < 0.05 * table["costs"].iloc[2]
    assert result.verdict.passed == bool(table[table["multiplier"] <= 2.0]["survives"].all())
