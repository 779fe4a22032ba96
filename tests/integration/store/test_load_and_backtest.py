"""Reading bars through ``load_bars`` / a run config with ``store:`` instead of ``path:``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quantrail.core.errors import ConfigError, DataError
from quantrail.data import BarFrame, DataConfig, load_bars
from quantrail.data.frame import iso_utc
from quantrail.data.store import open_store
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from tests.integration.store.test_contract import assert_same_bars


def store_config(url: str, **fields: object) -> DataConfig:
    return DataConfig.model_validate({"symbol": "SPY", "store": url, "frequency": "1d", **fields})


def filled(url: str, frame: BarFrame) -> str:
    with open_store(url) as store:
        store.write(frame)
    return url


def test_load_bars_reads_the_configured_series(store_url: str, spy_frame: BarFrame) -> None:
    frame = load_bars(store_config(filled(store_url, spy_frame)))
    assert_same_bars(frame, spy_frame)
    assert frame.source.endswith("#SPY@1d")
    np.testing.assert_array_equal(frame.row_numbers, np.arange(1, len(frame) + 1))


def test_start_and_end_are_local_dates_of_the_bar_start(
    store_url: str, spy_frame: BarFrame
) -> None:
    url = filled(store_url, spy_frame)
    # Naive bounds are local to the series (America/New_York for equity): a date is that day.
    frame = load_bars(store_config(url, start="2015-01-02", end="2015-02-01"))
    assert iso_utc(int(frame.ts_open[0])) == "2015-01-02T05:00:00+00:00"
    assert iso_utc(int(frame.ts_open[-1])) == "2015-01-30T05:00:00+00:00"
    assert len(frame) == 20
    utc = load_bars(store_config(url, start="2015-01-02T05:00:01+00:00", end="2015-01-06"))
    assert [iso_utc(int(t)) for t in utc.ts_open] == ["2015-01-05T05:00:00+00:00"]


def test_bad_bounds_are_config_errors(tmp_path: Path, spy_frame: BarFrame) -> None:
    url = filled(f"duckdb:///{tmp_path / 'bars.duckdb'}", spy_frame)
    with pytest.raises(ConfigError, match="start: 'yesterday' is not an ISO-8601 time"):
        load_bars(store_config(url, start="yesterday"))
    with pytest.raises(ConfigError, match="must be before end"):
        load_bars(store_config(url, start="2015-02-01", end="2015-01-01"))


def test_a_relative_duckdb_url_in_a_run_config_is_relative_to_its_directory(
    tmp_path: Path, spy_frame: BarFrame
) -> None:
    filled(f"duckdb:///{tmp_path / 'stores' / 'bars.duckdb'}", spy_frame)
    frame = load_bars(store_config("duckdb:///stores/bars.duckdb"), base_dir=tmp_path)
    assert len(frame) == len(spy_frame)


def test_load_bars_from_a_missing_duckdb_file_fails_without_creating_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no bar store at"):
        load_bars(store_config("duckdb:///absent.duckdb"), base_dir=tmp_path)
    assert not (tmp_path / "absent.duckdb").exists()


def _comparable(metrics: dict[str, Any]) -> str:
    return json.dumps(metrics, sort_keys=True, default=str)  # NaN-safe equality


def test_a_backtest_from_the_store_equals_one_from_the_file(
    store_url: str, spy_frame: BarFrame, spy_config: dict[str, Any]
) -> None:
    from_file = run_backtest(RunConfig.model_validate(spy_config))
    filled(store_url, spy_frame)
    data = dict(spy_config["data"][0])  # type: ignore[index]
    del data["path"]
    data["store"] = store_url
    from_store = run_backtest(RunConfig.model_validate({**spy_config, "data": [data]}))
    assert from_file.metrics["num_trades"] > 0
    assert _comparable(from_store.metrics) == _comparable(from_file.metrics)
    assert from_store.final_equity == from_file.final_equity
    assert from_store.fills.equals(from_file.fills)
