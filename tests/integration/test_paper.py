"""A paper session on replayed real minute data trades exactly like the backtest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from quantrail.cli.main import main
from quantrail.engine.config import RunConfig
from quantrail.engine.paper import Pacer, run_paper
from quantrail.engine.run import run_backtest
from tests.conftest import DATA, REPO

SPY_MINUTES = DATA / "equity_minute_SPY_2011-03.csv"


@pytest.mark.parametrize(
    "strategy",
    [
        {"name": "sma_cross", "params": {"fast": 10, "slow": 60, "quantity": 50}},
        {"name": "breakout", "params": {"channel": 30, "exit_channel": 15, "max_quantity": 100}},
        {"name": "zscore_reversion", "params": {}},
    ],
)
def test_paper_session_on_spy_minutes_equals_the_backtest(strategy: dict[str, object]) -> None:
    config = RunConfig.model_validate(
        {
            "data": [{"symbol": "SPY", "path": str(SPY_MINUTES), "frequency": "1min"}],
            "strategy": strategy,
            "execution": {"latency": "1s"},
            "risk": {"max_position_pct": 0.5},
        }
    )
    backtest = run_backtest(config)
    paper = run_paper(config, speed=0)
    assert len(backtest.fills) > 0
    pd.testing.assert_frame_equal(paper.fills, backtest.fills)
    pd.testing.assert_frame_equal(paper.trades, backtest.trades)
    pd.testing.assert_series_equal(paper.equity, backtest.equity)
    assert paper.metrics == backtest.metrics


def test_pacer_sleeps_event_time_divided_by_speed() -> None:
    slept: list[float] = []
    pacer = Pacer(60.0, slept.append)
    for minute in range(4):
        pacer.wait_for(minute * 60_000_000_000)
    assert slept == [1.0, 1.0, 1.0]  # one minute of market time is one second at 60x


def test_paper_command_replays_a_file_and_writes_the_run_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(REPO / "examples" / "sma_cross_spy.yaml")
    replay = str(DATA / "equity_daily_SPY.csv")
    code = main(["paper", config, "--replay", replay, "--speed", "0", "--out", str(tmp_path)])
    assert code == 0
    assert "paper: done" in capsys.readouterr().out
    assert (tmp_path / "trades.csv").exists()
    latency = json.loads((tmp_path / "latency.json").read_text())
    assert latency["strategy"]["count"] == 2519  # every SPY bar was timed
    assert 0 < latency["event_to_submit"]["p50_us"] <= latency["event_to_submit"]["p99_us"]
