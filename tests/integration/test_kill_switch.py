"""The kill switch, pulled while orders are working and positions are open."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import yaml

from quantrail.cli.main import main
from quantrail.core import Bar, OrderType
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy
from tests.conftest import DATA, NO_DEFAULT_LIMITS

KILL_FILE: list[Path] = []


class HoldAndRest(Strategy):
    """Buys 100, rests a far buy limit, and on its 300th bar an operator pulls the kill switch."""

    def on_start(self) -> None:
        self.count = 0

    def on_bar(self, bar: Bar) -> None:
        self.count += 1
        if self.count == 1:
            self.buy(bar.symbol, 100, reason="entry")
            self.buy(bar.symbol, 10, order_type=OrderType.LIMIT, limit_price=1.0, reason="rest")
        if self.count == 300:
            assert main(["kill", "--file", str(KILL_FILE[0]), "--reason", "test"]) == 0
        if self.count > 300:
            self.buy(bar.symbol, 1, reason="after kill")  # must be denied: HALTED


def _config(tmp_path: Path) -> dict[str, object]:
    return {
        "data": [{"symbol": "SPY", "path": str(DATA / "equity_daily_SPY.csv"), "frequency": "1d"}],
        "strategy": {"name": "tests.integration.test_kill_switch:HoldAndRest"},
        "risk": {
            **NO_DEFAULT_LIMITS,
            "kill_switch": {"path": str(tmp_path / "KILL")},
            "state_path": str(tmp_path / "risk.sqlite"),
        },
    }


def test_kill_cancels_flattens_latches_and_stops(tmp_path: Path) -> None:
    KILL_FILE[:] = [tmp_path / "KILL"]
    result = run_backtest(RunConfig.model_validate(_config(tmp_path)), out_dir=tmp_path / "run")
    orders = result.orders
    rest = orders[orders.reason == "rest"].iloc[0]
    assert rest["status"] == "canceled"  # the working order was canceled
    flatten = orders[orders.reason == "risk: flatten"]
    assert list(flatten["status"]) == ["filled"]  # the position was flattened at market
    assert result.trades["exit_reason"].iloc[-1] == "risk: flatten"  # closed, not open at end
    assert result.risk_summary["mode"] == "halted"
    assert result.risk_summary["stopped_early"] == "kill switch: flattened and halted"
    # The run stopped: far fewer bars than the file holds, and nothing traded after the kill.
    assert len(result.equity) < 400
    assert (orders[orders.reason == "after kill"]["status"] == "denied").all()
    events = pd.read_csv(tmp_path / "run" / "risk_events.csv")
    assert "kill_switch" in set(events["rule"])

    # A restart finds the latch: still halted, every entry denied, although the run is new.
    restarted = run_backtest(RunConfig.model_validate(_config(tmp_path)))
    assert restarted.risk_summary["mode"] == "halted"
    assert (restarted.orders["status"] == "denied").all()

    # Only an operator's resume clears it.
    config_path = tmp_path / "run.yaml"
    config_path.write_text(yaml.safe_dump(_config(tmp_path)))
    assert main(["resume", str(config_path), "--actor", "alice", "--yes"]) == 0
    assert not (tmp_path / "KILL").exists()
    KILL_FILE[:] = [tmp_path / "KILL-2"]  # this run's kill goes elsewhere; the latch is clear
    cleared = run_backtest(RunConfig.model_validate(_config(tmp_path)))
    assert "filled" in set(cleared.orders["status"])


def test_resume_refuses_without_confirmation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kill = tmp_path / "KILL"
    assert main(["kill", "--file", str(kill)]) == 0
    assert kill.exists()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nobody answers the prompt
    assert main(["resume", "--file", str(kill)]) == 130
    assert kill.exists()
