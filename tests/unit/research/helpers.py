"""Run configs for the research tests: bundled data, risk switched off, no volume cap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantrail.engine.config import RunConfig
from quantrail.engine.results import BacktestResult
from quantrail.research import FastResult, inert_risk

DATA = Path(__file__).resolve().parents[3] / "data"


def data_entry(file: str, frequency: str = "1d", **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "symbol": Path(file).stem.split("_")[2],
        "path": str(DATA / file),
        "frequency": frequency,
        "timezone": "America/New_York",
    }
    entry.update(extra)
    return entry


def run_config(
    strategy: str,
    params: dict[str, Any] | None = None,
    *,
    data: list[dict[str, Any]] | None = None,
    execution: dict[str, Any] | None = None,
    risk: dict[str, Any] | None = None,
) -> RunConfig:
    """A config the fast path accepts unless an argument says otherwise."""
    return RunConfig.model_validate(
        {
            "data": data or [data_entry("equity_daily_SPY.csv")],
            "strategy": {"name": strategy, "params": params or {}},
            "execution": {"max_volume_share": None, **(execution or {})},
            "risk": inert_risk() if risk is None else risk,
        }
    )


def assert_same_run(fast: FastResult, event: BacktestResult) -> None:
    """The fast path reproduced the event engine: fills, trades, equity, metrics."""
    assert len(event.fills) > 0, "the comparison needs trades to mean anything"
    pd.testing.assert_frame_equal(fast.fills, event.fills[list(fast.fills.columns)])
    pd.testing.assert_frame_equal(fast.trades, event.trades)
    pd.testing.assert_series_equal(fast.equity, event.equity)
    assert fast.final_equity == event.final_equity
    assert fast.metrics.keys() == event.metrics.keys()
    for key, value in event.metrics.items():
        if isinstance(value, float):
            assert np.isclose(fast.metrics[key], value, rtol=1e-12, atol=0), key
        else:
            assert fast.metrics[key] == value, key
