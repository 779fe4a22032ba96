"""Sweeps: the fast path against the event engine, the trial log and resume, the searches,
fallbacks, and a Dask cluster giving what a local run gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from distributed import LocalCluster

from quantrail.core.errors import ConfigError
from quantrail.research import FastPathUnsupported, GridSpecError, read_trial_log, sweep
from quantrail.research.trials import TrialRecord
from tests.unit.research.helpers import run_config

GRID = ["fast=5:25:10", "slow=60:120:60"]  # 3 x 2 = 6 trials


def _comparable(records: list[TrialRecord]) -> list[tuple[int, dict[str, object], object]]:
    return [(r.trial, r.params, r.metrics) for r in records]


def test_a_fast_grid_gives_the_event_engine_metrics() -> None:
    config = run_config("sma_cross")
    fast = sweep(config, GRID, progress=False)
    event = sweep(config, GRID, engine="event", n_jobs=1, progress=False)
    assert {r.engine for r in fast.records} == {"fast"}
    assert {r.engine for r in event.records} == {"event"}
    assert len(fast.records) == 6
    assert _comparable(fast.records) == _comparable(event.records)


def test_event_trials_fan_out_to_worker_processes() -> None:
    config = run_config("sma_cross")
    local = sweep(config, GRID[:1], engine="event", n_jobs=1, progress=False)
    pooled = sweep(config, GRID[:1], engine="event", n_jobs=2, progress=False)
    assert _comparable(pooled.records) == _comparable(local.records)


def test_every_trial_is_logged_and_resume_skips_them(tmp_path: Path) -> None:
    config = run_config("sma_cross")
    log = tmp_path / "trials.jsonl"
    first = sweep(config, GRID, trials=4, log=log, progress=False)  # "interrupted" after 4
    assert [r.trial for r in first.records] == [0, 1, 2, 3]
    with pytest.raises(ConfigError, match="resume it"):
        sweep(config, GRID, log=log, progress=False)
    resumed = sweep(config, GRID, log=log, resume=True, progress=False)
    header, logged = read_trial_log(log)
    assert header is not None
    assert header["method"] == "grid"
    assert [r.trial for r in logged] == [0, 1, 2, 3, 4, 5]
    # Only the two missing trials ran: the log holds one line per trial, no repeats.
    assert len(log.read_text().splitlines()) == 1 + 6
    assert _comparable(resumed.records) == _comparable(sweep(config, GRID, progress=False).records)
    lines = [json.loads(line) for line in log.read_text().splitlines()[1:]]
    assert all(line["engine"] == "fast" and "sharpe" in line["metrics"] for line in lines)
    with pytest.raises(ConfigError, match="different sweep"):
        sweep(config, ["fast=5:25:5", "slow=60"], log=log, resume=True, progress=False)


def test_tpe_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    config = run_config("sma_cross")
    space = ["fast=5:50:5", "slow=60:240:20"]
    runs = [
        sweep(config, space, method="tpe", trials=6, seed=seed, batch_size=2, progress=False)
        for seed in (11, 11, 12)
    ]
    assert _comparable(runs[0].records) == _comparable(runs[1].records)
    assert [r.params for r in runs[0].records] != [r.params for r in runs[2].records]
    assert len(runs[0].records) == 6
    assert all(r.values for r in runs[0].records)
    # Resume: 4 logged trials, then 2 more to reach 6.
    log = tmp_path / "tpe.jsonl"
    sweep(config, space, method="tpe", trials=4, seed=11, log=log, progress=False)
    done = sweep(config, space, method="tpe", trials=6, seed=11, log=log, resume=True,
                 progress=False)  # fmt: skip
    assert [r.trial for r in done.records] == list(range(6))


def test_nsga2_searches_several_objectives_reproducibly() -> None:
    config = run_config("zscore_reversion")
    space = ["lookback=10:40:5", "entry_z=1.5:2.5:0.25", "exit_z=0,0.25,0.5"]
    goals = ["sharpe", "max_drawdown"]
    first = sweep(config, space, method="nsga2", trials=8, objectives=goals, seed=5,
                  progress=False)  # fmt: skip
    again = sweep(config, space, method="nsga2", trials=8, objectives=goals, seed=5,
                  progress=False)  # fmt: skip
    assert _comparable(first.records) == _comparable(again.records)
    assert first.pareto()
    assert all(r.params["entry_z"] in (1.5, 1.75, 2.0, 2.25, 2.5) for r in first.records)


def test_random_search_draws_distinct_points_from_its_seed() -> None:
    config = run_config("sma_cross")
    space = ["fast=5:50:5", "slow=60:240:20"]
    a = sweep(config, space, method="random", trials=5, seed=1, progress=False)
    b = sweep(config, space, method="random", trials=5, seed=1, progress=False)
    assert _comparable(a.records) == _comparable(b.records)
    assert len({tuple(r.params.values()) for r in a.records}) == 5


def test_configs_the_fast_path_refuses_run_on_the_event_engine() -> None:
    capped = run_config("sma_cross", execution={"max_volume_share": 0.1})
    result = sweep(capped, GRID[:1], n_jobs=1, progress=False)
    assert {r.engine for r in result.records} == {"event"}
    with pytest.raises(FastPathUnsupported, match=r"^execution\.max_volume_share: "):
        sweep(capped, GRID[:1], engine="fast", progress=False)


def test_a_parameter_set_off_the_lot_grid_falls_back_alone() -> None:
    result = sweep(run_config("sma_cross"), ["quantity=100,2.5"], progress=False)
    assert [(r.params["quantity"], r.engine) for r in result.records] == [
        (100, "fast"),
        (2.5, "event"),
    ]


def test_invalid_parameters_are_logged_as_invalid() -> None:
    result = sweep(run_config("sma_cross"), ["fast=20,60", "slow=50"], progress=False)
    assert [r.state for r in result.records] == ["complete", "invalid"]
    assert "must be less than slow" in (result.records[1].error or "")


def test_unknown_parameters_and_methods_are_refused() -> None:
    config = run_config("sma_cross")
    with pytest.raises(GridSpecError, match="has no parameter 'fats'; it has fast, slow"):
        sweep(config, ["fats=5:10"], progress=False)
    with pytest.raises(ConfigError, match="tpe optimises one objective"):
        sweep(config, GRID, method="tpe", trials=2, objectives=["sharpe", "cagr"])
    with pytest.raises(ConfigError, match="random needs trials"):
        sweep(config, GRID, method="random")


def test_a_dask_cluster_gives_the_local_results() -> None:
    config = run_config("sma_cross")
    local = sweep(config, GRID, progress=False)
    cluster_of: Callable[..., Any] = LocalCluster  # distributed ships partial type hints
    with cluster_of(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=None, timeout=30,
    ) as cluster:  # fmt: skip
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        fast = sweep(config, GRID, scheduler=address, progress=False)
        event = sweep(config, GRID, scheduler=address, engine="event", progress=False)
    assert _comparable(fast.records) == _comparable(local.records)
    assert {r.engine for r in event.records} == {"event"}
    assert _comparable(event.records) == _comparable(local.records)
