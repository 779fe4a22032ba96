"""The research and evaluation commands through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from quantrail.cli.main import main
from tests.conftest import DATA


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    config = {
        "data": [{"symbol": "SPY", "path": str(DATA / "equity_daily_SPY.csv"), "frequency": "1d"}],
        "strategy": {"name": "sma_cross", "params": {"fast": 10, "slow": 50, "quantity": 100}},
        "execution": {"max_volume_share": None},
        "risk": {"max_position_pct": None, "daily_loss": {"max_loss_pct": None},
                 "drawdown": {"max_drawdown": None}},
    }  # fmt: skip
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_sweep_grid_logs_every_trial(config_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    code = main(["sweep", str(config_file), "--grid", "fast=5:15:5", "--grid", "slow=40,60",
                 "--out", str(out), "--no-progress"])  # fmt: skip
    assert code == 0
    results = pd.read_csv(out / "results.csv")
    assert len(results) == 6  # 3 x 2 combinations
    records = [json.loads(line) for line in (out / "trials.jsonl").read_text().splitlines()]
    header, trials = records[0], records[1:]
    assert header["kind"] == "sweep"  # the log says what was searched, then each trial
    assert len(trials) == 6
    assert all("sharpe" in trial["metrics"] for trial in trials)
    assert (out / "report.html").exists()


def test_walkforward_exits_1_when_its_verdict_fails(config_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "wf"
    code = main(["walkforward", str(config_file), "--param", "fast=5,10", "--param",
                 "slow=40,60", "--train", "504", "--test", "252", "--min-efficiency", "100",
                 "--out", str(out)])  # fmt: skip
    assert code == 1  # an efficiency of 100 cannot be met
    assert (out / "report.html").exists()
