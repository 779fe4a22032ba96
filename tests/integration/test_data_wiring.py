"""Data config options reach the backtest: extended hours dropped, corporate actions applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from tests.conftest import DATA


def test_extended_hours_drop_is_a_logged_cleaning_step() -> None:
    data = {
        "symbol": "SPY",
        "path": str(DATA / "equity_minute_SPY_2011-03.csv"),
        "frequency": "1min",
    }
    strategy = {"name": "sma_cross", "params": {"fast": 5, "slow": 30, "quantity": 10}}
    kept = run_backtest(RunConfig.model_validate({"data": [data], "strategy": strategy}))
    dropped = run_backtest(
        RunConfig.model_validate(
            {"data": [{**data, "extended_hours": "drop"}], "strategy": strategy}
        )
    )
    cleaning = dropped.data_quality[0]["cleaning"]
    assert cleaning[0]["rows_removed"] == 17_577 - 23 * 390  # every pre/after-hours minute
    assert any("cleaning step" in line for line in dropped.data_warnings())
    assert len(dropped.equity) == 23 * 390
    assert len(kept.equity) == 17_577


def test_actions_path_applies_the_split_in_a_config_driven_run(tmp_path: Path) -> None:
    config = RunConfig.model_validate(
        {
            "data": [
                {
                    "symbol": "AAPL",
                    "path": str(DATA / "equity_daily_AAPL_2014_raw.csv"),
                    "frequency": "1d",
                    "actions_path": str(DATA / "actions_AAPL_2014.csv"),
                }
            ],
            "strategy": {"name": "sma_cross", "params": {"fast": 5, "slow": 20, "quantity": 10}},
        }
    )
    run_backtest(config, out_dir=tmp_path)
    connection = sqlite3.connect(tmp_path / "audit.sqlite")
    kinds = [row[0] for row in connection.execute("SELECT kind FROM corporate_actions")]
    connection.close()
    assert kinds == ["dividend", "dividend", "split", "dividend", "dividend"]
