"""The trial log (append, torn line, resume checks) and objective parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quantrail.core.errors import ConfigError
from quantrail.research import Objective, TrialLog, TrialRecord, parse_objectives, read_trial_log
from quantrail.research.sweeper import SweepResult

HEADER = {
    "strategy": "sma_cross",
    "method": "grid",
    "space": [],
    "objectives": [["sharpe", "maximize"]],
}


def test_log_appends_one_line_per_trial_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "trials.jsonl"
    log = TrialLog(path, HEADER)
    log.append(TrialRecord(0, {"fast": 5}, "complete", "fast", {"sharpe": float("nan")}, [None]))
    log.append(TrialRecord(1, {"fast": 6}, "invalid", error="fast must be < slow"))
    log.close()
    lines = path.read_text().splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["sweep", "trial", "trial"]
    assert json.loads(lines[1])["metrics"] == {"sharpe": None}  # strict JSON: no NaN
    header, records = read_trial_log(path)
    assert header is not None
    assert header["method"] == "grid"
    assert [r.trial for r in records] == [0, 1]
    assert records[1].state == "invalid"
    assert records[1].error == "fast must be < slow"


def test_a_torn_last_line_is_dropped_on_resume(tmp_path: Path) -> None:
    path = tmp_path / "trials.jsonl"
    log = TrialLog(path, HEADER)
    log.append(TrialRecord(0, {"fast": 5}, "complete", "fast", {"sharpe": 1.0}, [1.0]))
    log.close()
    with path.open("a") as handle:
        handle.write('{"kind": "trial", "trial": 1, "par')  # the sweep died mid-write
    resumed = TrialLog(path, HEADER, resume=True)
    resumed.append(TrialRecord(1, {"fast": 6}, "complete", "fast", {"sharpe": 2.0}, [2.0]))
    resumed.close()
    assert resumed.done() == {0, 1}
    _, records = read_trial_log(path)
    assert [r.trial for r in records] == [0, 1]


def test_an_existing_log_is_not_overwritten_without_resume(tmp_path: Path) -> None:
    path = tmp_path / "trials.jsonl"
    TrialLog(path, HEADER).close()
    with pytest.raises(ConfigError, match="resume it"):
        TrialLog(path, HEADER)


def test_resume_refuses_a_log_of_another_sweep(tmp_path: Path) -> None:
    path = tmp_path / "trials.jsonl"
    TrialLog(path, HEADER).close()
    with pytest.raises(ConfigError, match=r"different sweep \(method was 'grid', now 'tpe'\)"):
        TrialLog(path, {**HEADER, "method": "tpe"}, resume=True)


def test_a_corrupt_line_before_the_end_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "trials.jsonl"
    path.write_text('{"kind": "sweep"}\nnot json\n{"kind": "trial"}\n')
    with pytest.raises(ConfigError, match="line 2 is not JSON"):
        read_trial_log(path)


def test_objectives_take_a_direction_from_the_metric() -> None:
    assert parse_objectives(["sharpe", "max_drawdown", "annual_volatility", "turnover:max"]) == [
        Objective("sharpe", "maximize"),
        Objective("max_drawdown", "maximize"),  # negative: maximising prefers the shallower one
        Objective("annual_volatility", "minimize"),
        Objective("turnover", "maximize"),
    ]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([], "at least one objective"),
        (["sharp"], "unknown metric 'sharp'"),
        (["sharpe:up"], "direction must be max or min"),
        (["sharpe", "sharpe:min"], "given twice"),
    ],
)
def test_bad_objectives_are_refused(specs: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_objectives(specs)


def test_pareto_front_and_best() -> None:
    goals = [Objective("sharpe", "maximize"), Objective("annual_volatility", "minimize")]
    values: dict[int, list[float | None]] = {
        0: [1.0, 0.2], 1: [2.0, 0.3], 2: [0.5, 0.25], 3: [2.0, 0.3], 4: [None, 0.1],
    }  # fmt: skip
    records = [TrialRecord(n, {}, "complete", "fast", {}, v) for n, v in values.items()]
    records.append(TrialRecord(5, {}, "invalid"))
    result = SweepResult("grid", [], goals, records)
    assert [r.trial for r in result.pareto()] == [0, 1, 3]  # 2 is beaten by 0; 4 has no Sharpe
    best = result.best()
    assert best is not None
    assert best.trial == 1
