"""A strategy that loses everything is reported as ruined, with numbers that say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from quantrail.core import Bar
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy
from tests.conftest import NO_DEFAULT_LIMITS


class ShortTheRally(Strategy):
    """Shorts 10x its equity on the first bar and never covers."""

    def on_bar(self, bar: Bar) -> None:
        if self.position(bar.symbol) == 0 and not self.working_orders(bar.symbol):
            self.sell(bar.symbol, 20_000, reason="all in short")


def test_blown_account_is_reported_as_ruined(tmp_path: Path) -> None:
    prices = [10.0, 10.0, 12.0, 15.0, 20.0, 30.0]
    lines = ["timestamp,open,high,low,close,volume"]
    for day, price in enumerate(prices, start=1):
        lines.append(f"2020-01-{day:02d}T00:00:00+00:00,{price},{price},{price},{price},1000000")
    path = tmp_path / "rally.csv"
    path.write_text("\n".join(lines) + "\n")
    config = RunConfig.model_validate(
        {
            "data": [
                {"symbol": "X", "path": str(path), "frequency": "1d", "asset_class": "crypto"}
            ],
            "strategy": {"name": "tests.integration.test_ruin:ShortTheRally"},
            "execution": {"cash": 100_000, "max_volume_share": None},
            "risk": NO_DEFAULT_LIMITS,
        }
    )
    result = run_backtest(config, out_dir=tmp_path / "run")
    assert result.metrics["ruined"] is True
    assert result.metrics["max_drawdown"] == -1.0
    # Short 20,000 from ~10 to 30 loses ~400,000 on 100,000: final equity is negative.
    assert result.final_equity < 0
    assert result.metrics["total_return"] == pytest.approx(result.final_equity / 100_000 - 1)
    assert result.metrics["ruin_time"].startswith("2020-01-0")
    assert (tmp_path / "run" / "report.html").exists()
    assert result.metrics["sharpe"] is None
    assert result.metrics["cagr"] == -1.0
    assert result.metrics["end_equity"] == result.final_equity
    assert result.metrics["worst_period"] < -1.0
