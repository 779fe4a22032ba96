"""Cleaning steps: explicit, logged, and nothing happens unless a step is named."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quantrail.data import DataConfig, load_bars
from quantrail.data.calendars import get_calendar
from quantrail.data.cleaning import (
    DropDuplicateTimestamps,
    DropExtendedHours,
    DropZeroVolume,
    apply_steps,
    steps_for_config,
)

DATA = Path(__file__).resolve().parents[3] / "data"
SPY_MINUTE = DATA / "equity_minute_SPY_2011-03.csv"
XNYS = "XNYS"


def test_no_steps_no_change(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("2014-01-06"), bar("2014-01-06")])
    cleaned, logs = apply_steps(frame, [], get_calendar(XNYS))
    assert cleaned is frame
    assert logs == []


def test_drop_extended_hours_on_spy_minutes_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    frame = load_bars(DataConfig(symbol="SPY", path=SPY_MINUTE, frequency="1min"))
    with caplog.at_level(logging.INFO, logger="quantrail.data.cleaning"):
        cleaned, logs = apply_steps(frame, ["drop_extended_hours"], get_calendar(XNYS))
    (log,) = logs
    assert (log.step, log.rows_before, log.rows_removed) == (
        "drop_extended_hours(XNYS)",
        17577,
        8607,
    )
    assert len(cleaned) == 8970
    assert log.examples[0].row == 2
    assert log.examples[0].detail == "outside XNYS regular hours"
    assert "drop_extended_hours(XNYS) removed 8607 of 17577 rows (first: line 2)" in caplog.text
    assert len(frame) == 17577  # the input frame is untouched
    assert cleaned.row_numbers[0] == 202  # rows keep their file lines
    assert log.to_dict()["examples"][0]["line"] == 2


def test_drop_extended_hours_leaves_daily_bars_alone(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("2014-01-17"), bar("2014-01-20")])  # 01-20 is a holiday
    cleaned, log = DropExtendedHours()(frame, get_calendar(XNYS))
    assert len(cleaned) == 2
    assert log.rows_removed == 0


@pytest.mark.parametrize(("keep", "lines"), [("first", [2, 4, 5]), ("last", [3, 4, 6])])
def test_drop_duplicate_timestamps(load_csv: Any, bar: Any, keep: str, lines: list[int]) -> None:
    frame = load_csv(
        [
            bar("2014-01-06", c=1),
            bar("2014-01-06", c=2),
            bar("2014-01-07", c=3),
            bar("2014-01-08", c=4),
            bar("2014-01-08", c=5),
        ]
    )
    cleaned, log = DropDuplicateTimestamps(keep=keep)(frame, get_calendar(XNYS))  # type: ignore[arg-type]
    assert cleaned.row_numbers.tolist() == lines
    assert log.rows_removed == 2
    assert log.step == f"drop_duplicate_timestamps(keep={keep!r})"


def test_drop_zero_volume_keeps_nan_volume(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("2014-01-06", v=0), bar("2014-01-07", v=""), bar("2014-01-08", v=5)])
    cleaned, log = DropZeroVolume()(frame, get_calendar(XNYS))
    assert cleaned.row_numbers.tolist() == [3, 4]
    assert np.isnan(cleaned.volume[0])
    assert (log.rows_removed, log.examples[0].row) == (1, 2)


def test_steps_compose_in_order(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("2014-01-06", v=0), bar("2014-01-06", v=1), bar("2014-01-07")])
    steps = [DropZeroVolume(), DropDuplicateTimestamps()]
    cleaned, logs = apply_steps(frame, steps, get_calendar(XNYS))
    assert cleaned.row_numbers.tolist() == [3, 4]  # the zero-volume copy went first
    assert [log.rows_removed for log in logs] == [1, 0]


def test_unknown_step_and_bad_keep() -> None:
    with pytest.raises(ValueError, match="unknown cleaning step 'fill_gaps'"):
        apply_steps(
            load_bars(DataConfig(symbol="S", path=SPY_MINUTE, frequency="1min")),
            ["fill_gaps"],
            get_calendar(XNYS),
        )
    with pytest.raises(ValueError, match="keep must be"):
        DropDuplicateTimestamps(keep="middle")  # type: ignore[arg-type]


def test_steps_for_config() -> None:
    keep = DataConfig(symbol="SPY", path=SPY_MINUTE, frequency="1min")
    drop = DataConfig(symbol="SPY", path=SPY_MINUTE, frequency="1min", extended_hours="drop")
    assert steps_for_config(keep) == []
    assert [s.name for s in steps_for_config(drop)] == ["drop_extended_hours"]
