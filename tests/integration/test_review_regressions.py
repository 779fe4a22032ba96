"""Regressions found by review: each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from quantrail.core import Bar
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy
from tests.conftest import DATA, NO_DEFAULT_LIMITS


class HoldOnce(Strategy):
    def on_start(self) -> None:
        self.done = False

    def on_bar(self, bar: Bar) -> None:
        if not self.done:
            self.done = True
            self.buy(bar.symbol, 100, reason="hold")


class BuyAfterSplit(Strategy):
    def on_bar(self, bar: Bar) -> None:
        if pd.Timestamp(bar.ts_open, tz="UTC") == pd.Timestamp("2014-06-10 04:00", tz="UTC"):
            self.buy(bar.symbol, 10, reason="after split")


KILL_FILE: list[Path] = []


class Fall(Strategy):
    """Buys big; on its 400th bar an operator pulls the kill switch."""

    def on_start(self) -> None:
        self.count = 0

    def on_bar(self, bar: Bar) -> None:
        self.count += 1
        if self.count == 1:
            self.buy(bar.symbol, 700, reason="big")
        if self.count == 400:
            KILL_FILE[0].write_text("{}")


def _aapl_with_actions(**extra: object) -> dict[str, object]:
    return {
        "data": [{"symbol": "AAPL", "path": str(DATA / "equity_daily_AAPL_2014_raw.csv"),
                  "frequency": "1d", "actions_path": str(DATA / "actions_AAPL_2014.csv")}],
        "strategy": {"name": "tests.integration.test_review_regressions:HoldOnce"},
        "execution": {"max_volume_share": None},
        **extra,
    }  # fmt: skip


def test_a_split_is_not_seen_by_the_drawdown_breaker_as_a_crash() -> None:
    # Default breaker (15 %) and daily loss (5 %) on: the 7-for-1 split must not trip them.
    result = run_backtest(RunConfig.model_validate(_aapl_with_actions(
        risk={"max_position_pct": None})))  # fmt: skip
    assert result.risk_summary["mode"] == "active"
    assert not set(result.risk_events["rule"]) & {"drawdown", "daily_loss"}
    assert result.trades.iloc[-1]["quantity"] == 700


def test_slippage_volatility_ignores_the_split_step() -> None:
    config = _aapl_with_actions(risk=NO_DEFAULT_LIMITS)
    config["strategy"] = {"name": "tests.integration.test_review_regressions:BuyAfterSplit"}
    fill = run_backtest(RunConfig.model_validate(config)).fills.iloc[0]
    slippage_bps = fill["slippage_cost"] / (fill["quantity"] * fill["reference_price"]) * 1e4
    assert slippage_bps < 30  # about 11 bps; the raw -86 % split step made it about 195


@pytest.mark.parametrize("fill", ["next_open", "next_close"])
def test_trade_pnl_sums_to_the_equity_change_across_a_split_and_dividends(fill: str) -> None:
    config = _aapl_with_actions(risk=NO_DEFAULT_LIMITS)
    config["execution"] = {"max_volume_share": None, "fill": fill}
    result = run_backtest(RunConfig.model_validate(config))
    assert result.trades["pnl"].sum() == pytest.approx(result.final_equity - 100_000, abs=0.01)


def test_the_kill_switch_stops_a_run_already_halted_by_the_breaker(tmp_path: Path) -> None:
    KILL_FILE[:] = [tmp_path / "KILL"]
    config = RunConfig.model_validate(
        {
            "data": [{"symbol": "SPY", "path": str(DATA / "equity_daily_SPY.csv"),
                      "frequency": "1d"}],
            "strategy": {"name": "tests.integration.test_review_regressions:Fall"},
            "risk": {**NO_DEFAULT_LIMITS, "drawdown": {"max_drawdown": 0.05},
                     "kill_switch": {"path": str(tmp_path / "KILL")}},
        }
    )  # fmt: skip
    result = run_backtest(config)
    rules = list(result.risk_events["rule"])
    assert "drawdown" in rules
    assert "kill_switch" in rules
    assert result.risk_summary["stopped_early"] == "kill switch: flattened and halted"
