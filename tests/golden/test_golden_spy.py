"""Golden run: the README's SMA cross on bundled SPY daily bars, with pinned results.

Changing these numbers is a reviewed decision: it means fills, costs or metrics changed. Rerun
`quantrail backtest examples/sma_cross_spy.yaml`, check why they moved, and update them here and
in the README together.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest

PINNED = {
    "num_trades": 30,
    "total_return": 0.057819985,
    "sharpe": 0.341500922797672,
    "max_drawdown": -0.032204492838929566,
    "win_rate": 0.5666666666666667,
    "final_equity": 105781.9985,
}


def test_golden_sma_cross_on_spy_matches_pinned_metrics(
    tmp_path: Path, spy_config: dict[str, object]
) -> None:
    result = run_backtest(RunConfig.model_validate(spy_config), out_dir=tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key, value in PINNED.items():
        assert metrics[key] == pytest.approx(value, rel=1e-9), key
    assert len(result.trades) == 30
    first = result.trades.iloc[0]
    assert first["entry_reason"] == "fast crossed above slow"
    assert first["exit_reason"] == "fast crossed below slow"
    # Trade 1 by hand: bought 100 at 134.79, sold 100 at 136.87, two 1.00 commissions.
    assert first["pnl"] == pytest.approx((136.87 - 134.79) * 100 - 2.0)


def test_same_config_and_data_give_byte_identical_outputs(
    tmp_path: Path, spy_config: dict[str, object]
) -> None:
    config = RunConfig.model_validate(spy_config)
    run_backtest(config, out_dir=tmp_path / "a")
    run_backtest(config, out_dir=tmp_path / "b")
    for name in ("metrics.json", "trades.csv", "fills.csv", "orders.csv", "equity.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
