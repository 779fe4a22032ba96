"""The evaluation commands end to end: config file in, files and a verdict out."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quantrail.cli.evaluate_cmd import (
    lookahead_command,
    robustness_command,
    sensitivity_command,
    stats_command,
    walkforward_command,
)
from quantrail.core.errors import ConfigError
from tests.conftest import DATA


@pytest.fixture
def config_path(spy_config: dict[str, object], tmp_path: Path) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(spy_config))
    return path


def test_walkforward_command(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "wf"
    passed = walkforward_command(
        config_path, out, params=["fast=10,20"], train="504", test="252", metric="sharpe"
    )
    assert isinstance(passed, bool)
    assert (out / "report.html").exists()
    assert (out / "folds.csv").exists()
    printed = capsys.readouterr().out
    assert "walk-forward efficiency" in printed
    assert ("PASS" in printed) == passed


def test_sensitivity_command(config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    sensitivity_command(config_path, out, params=["fast"], deltas=[-0.1, 0.1], floors=["sharpe=0"])
    assert (out / "sensitivity.csv").exists()
    with pytest.raises(ConfigError, match="two parameter names"):
        sensitivity_command(config_path, out, pair="fast")
    with pytest.raises(ConfigError, match="unknown parameter"):
        sensitivity_command(config_path, out, params=["nope"])


def test_robustness_command(config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "rob"
    robustness_command(
        config_path,
        out,
        symbols=[f"SPY={DATA / 'equity_daily_SPY.csv'}", f"GLD={DATA / 'equity_daily_GLD.csv'}"],
        windows="3",
        cost_multipliers=[2.0],
    )
    assert (out / "robustness.csv").exists()
    assert (out / "costs.csv").exists()
    with pytest.raises(ConfigError, match="SYMBOL=path"):
        robustness_command(config_path, out, symbols=["SPY"])
    with pytest.raises(ConfigError, match="yearly"):
        robustness_command(config_path, out, windows="quarterly")


def test_stats_and_lookahead_commands(config_path: Path, tmp_path: Path) -> None:
    assert stats_command(config_path, tmp_path / "st", params=["fast=10,20"], sims=50) is False
    assert (tmp_path / "st" / "stats.json").exists()
    assert lookahead_command(config_path, tmp_path / "la", cuts=2) is True
    assert (tmp_path / "la" / "differences.csv").exists()


def test_bad_window_lengths_are_config_errors(config_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="invalid duration"):
        walkforward_command(config_path, tmp_path, params=["fast=10"], train="2 years", test="1y")
    with pytest.raises(ConfigError, match="no walk-forward fold fits"):
        walkforward_command(config_path, tmp_path, params=["fast=10"], train="5000", test="252")
