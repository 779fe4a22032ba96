"""The README's code runs as written."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from tests.conftest import DATA, REPO


def _block(language: str, after: str) -> str:
    text = (REPO / "README.md").read_text()
    start = text.index(after)
    match = re.search(rf"```{language}\n(.*?)```", text[start:], re.DOTALL)
    assert match is not None
    return match.group(1)


def test_readme_strategy_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "mypackage"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "dips.py").write_text(_block("python", "## Writing a strategy"))
    monkeypatch.syspath_prepend(str(tmp_path))
    config = RunConfig.model_validate(
        {
            "data": [
                {"symbol": "SPY", "path": str(DATA / "equity_daily_SPY.csv"), "frequency": "1d"}
            ],
            "strategy": {"name": "mypackage.dips:BuyTheDip"},
        }
    )
    result = run_backtest(config)
    assert result.metrics["num_trades"] > 0
    assert set(result.orders["reason"]) == {"rsi below threshold", "rsi recovered"}
    sys.modules.pop("mypackage.dips", None)
    sys.modules.pop("mypackage", None)


def test_readme_config_is_the_example_file() -> None:
    shown = yaml.safe_load(_block("yaml", "## A backtest in one file"))
    example = yaml.safe_load((REPO / "examples" / "sma_cross_spy.yaml").read_text())
    example.pop("name")
    assert shown == example
