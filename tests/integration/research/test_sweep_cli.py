"""`sweep_command` (the function behind `quantrail sweep`): the folder it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from quantrail.cli.sweep_cmd import sweep_command
from quantrail.research import inert_risk
from tests.unit.research.helpers import data_entry


def _config(tmp_path: Path, strategy: str) -> Path:
    path = tmp_path / "run.yaml"
    document = {
        "name": "cli_sweep",
        "data": [data_entry("equity_daily_SPY.csv")],
        "strategy": {"name": strategy},
        "execution": {"max_volume_share": None},
        "risk": inert_risk(),
    }
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_grid_writes_log_results_best_and_a_heatmap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    sweep_command(
        _config(tmp_path, "sma_cross"), ["fast=5:25:10", "slow=60:120:60"], "grid", 0,
        ["sharpe"], out, None, 0, False, progress=False,
    )  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "best.json", "report.html", "results.csv", "trials.jsonl",
    ]  # fmt: skip
    results = pd.read_csv(out / "results.csv")
    assert list(results.columns[:5]) == ["trial", "state", "engine", "fast", "slow"]
    assert len(results) == 6
    assert set(results.engine) == {"fast"}
    best = json.loads((out / "best.json").read_text())
    assert best["trials"] == best["complete"] == 6
    assert best["best"]["values"][0] == results.sharpe.max()
    report = (out / "report.html").read_text()
    assert "sharpe over fast x slow" in report
    assert "Heatmap" in report
    assert "<script src" not in report  # plotly.js is inlined: the page opens offline
    assert "6 trials (6 scored; engine: fast)" in capsys.readouterr().out


def test_several_objectives_give_a_pareto_front(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    sweep_command(
        _config(tmp_path, "breakout"), ["channel=10:40:10", "atr_multiple=1.5:3:0.5"], "nsga2",
        6, ["sharpe", "max_drawdown"], out, None, 3, False, progress=False,
    )  # fmt: skip
    best = json.loads((out / "best.json").read_text())
    assert best["pareto_front"]
    assert "Pareto front: sharpe vs max_drawdown" in (out / "report.html").read_text()
    lines = (out / "trials.jsonl").read_text().splitlines()
    assert len(lines) == 1 + 6
