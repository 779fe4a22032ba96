"""Intraday Sharpe and volatility are annualised by the bars a session really has."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from tests.conftest import DATA


def test_extended_hours_minute_data_uses_its_observed_bars_per_session() -> None:
    path = DATA / "equity_minute_SPY_2011-03.csv"
    config = RunConfig.model_validate(
        {
            "data": [{"symbol": "SPY", "path": str(path), "frequency": "1min"}],
            "strategy": {"name": "sma_cross", "params": {"fast": 20, "slow": 60, "quantity": 10}},
        }
    )
    result = run_backtest(config)
    frame = pd.read_csv(path)
    dates = frame["timestamp"].str[:10]
    expected = 252 * float(np.median(dates.value_counts().to_numpy()))
    assert result.metrics["periods_per_year"] == pytest.approx(expected)
    assert result.metrics["periods_per_year"] > 252 * 390  # the file has pre- and after-hours bars
