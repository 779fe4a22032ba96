from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


# The risk limits that are on by default (10 % of equity per instrument, 5 % daily loss, 15 %
# drawdown breaker) switched off, for scenarios built by hand to test something else.
NO_DEFAULT_LIMITS: dict[str, object] = {
    "max_position_pct": None,
    "daily_loss": {"max_loss_pct": None},
    "drawdown": {"max_drawdown": None},
}


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def spy_config() -> dict[str, object]:
    """The README's run config, as a dict, with absolute data paths."""
    return {
        "name": "sma_cross_spy",
        "data": [
            {
                "symbol": "SPY",
                "path": str(DATA / "equity_daily_SPY.csv"),
                "timestamps": "bar_start",
                "timezone": "America/New_York",
                "frequency": "1d",
            }
        ],
        "strategy": {"name": "sma_cross", "params": {"fast": 20, "slow": 50, "quantity": 100}},
        "execution": {
            "cash": 100000,
            "fill": "next_open",
            "commission": {"per_share": 0.005, "minimum": 1.0},
            "spread_bps": 1.0,
            "slippage": {"fixed_bps": 2.0, "volatility_factor": 0.1, "impact_factor": 0.1},
            "latency": "0s",
            "max_volume_share": 0.1,
        },
        "risk": {"max_position_pct": 0.30},
    }
