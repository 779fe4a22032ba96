"""The `quantrail` command end to end on bundled data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quantrail.cli.main import main
from tests.conftest import DATA, REPO


def test_backtest_then_audit_a_trade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = main(["backtest", str(REPO / "examples" / "sma_cross_spy.yaml"), "--out", str(out),
                 "--no-progress", "--set", "strategy.params.fast=10"])  # fmt: skip
    assert code == 0
    assert "sharpe" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["num_trades"] > 0
    assert main(["audit", str(out), "--trade", "2"]) == 0
    story = capsys.readouterr().out
    assert "Trade 2" in story
    assert "fast crossed above slow" in story
    assert "signal state" in story
    assert "model price" in story
    assert "commission" in story


def test_audit_of_a_missing_trade_fails_clearly(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["backtest", str(REPO / "examples" / "sma_cross_spy.yaml"), "--out", str(out),
                 "--no-progress"]) == 0  # fmt: skip
    assert main(["audit", str(out), "--trade", "999"]) == 3
    assert "trade 999 not found" in capsys.readouterr().err


def test_data_validate_reports_the_spy_warts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "validate", str(DATA / "equity_daily_SPY.csv"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rules = {issue["rule"]: issue for issue in report["issues"]}
    assert rules["ohlc_low"]["count"] == 2
    assert rules["ohlc_low"]["severity"] == "warning"


def test_data_validate_exits_3_on_a_fatal_problem(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "dupes.csv"
    bad.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2020-01-02T00:00:00+00:00,1,2,0.5,1.5,10\n"
        "2020-01-02T00:00:00+00:00,1,2,0.5,1.5,10\n"
    )
    assert main(["data", "validate", str(bad)]) == 3
    captured = capsys.readouterr()
    assert "duplicate_timestamp" in captured.out + captured.err


def test_broken_config_exits_2_naming_the_field(tmp_path: Path, capsys) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("data: []\nstrategy: {name: sma_cross}\n")
    assert main(["backtest", str(config), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "data: " in capsys.readouterr().err


def test_fatal_data_stops_the_backtest_naming_file_row_and_rule(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2020-01-02T00:00:00+00:00,1,2,0.5,1.5,10\n"
        "2020-01-03T00:00:00+00:00,1,2,0.5,nan,10\n"
    )
    config = tmp_path / "run.yaml"
    config.write_text(
        f"data:\n  - {{symbol: X, path: {bad}, frequency: 1d}}\nstrategy: {{name: sma_cross}}\n"
    )
    assert main(["backtest", str(config), "--out", str(tmp_path / "o"), "--no-progress"]) == 3
    err = capsys.readouterr().err
    assert "bad.csv" in err
    assert "row 3" in err
    assert "nan_price" in err


def test_installed_console_script_runs() -> None:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "quantrail"), "strategies"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "sma_cross" in completed.stdout
    assert "fast=20" in completed.stdout


def test_unknown_option_is_a_usage_error_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["backtest", "x.yaml", "--no-such-option"])
    assert code == 2
    assert "no-such-option" in capsys.readouterr().err


def test_backtest_with_progress_bar_enabled(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["backtest", str(REPO / "examples" / "sma_cross_spy.yaml"), "--out", str(out)]) == 0
    assert (out / "metrics.json").exists()


def test_backtest_shows_data_warnings_and_keeps_them_in_the_run_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(["backtest", str(REPO / "examples" / "sma_cross_spy.yaml"), "--out", str(out),
                 "--no-progress"])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "ohlc_low x2 (first at line 1808)" in err
    assert "gap x1 (first at line 1220)" in err  # the 2012 Hurricane Sandy closure
    reports = json.loads((out / "data_quality.json").read_text())
    assert sorted(i["rule"] for i in reports[0]["issues"]) == ["gap", "ohlc_low"]
