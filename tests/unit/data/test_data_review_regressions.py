"""Loader and resampling regressions found by review: each failed before its fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantrail.core import DataError
from quantrail.data import DataConfig, get_calendar, load_bars, resample_bars


def _load(path: Path, **fields: object) -> object:
    return load_bars(DataConfig.model_validate({"symbol": "X", "path": path, "frequency": "1d",
                                                **fields}))  # fmt: skip


def test_date_only_timestamps_after_a_space_are_local_not_utc(tmp_path: Path) -> None:
    path = tmp_path / "spaced.csv"
    path.write_text("timestamp, open, high, low, close, volume\n"
                    " 2014-01-06, 10, 11, 9, 10.5, 100\n")  # fmt: skip
    frame = _load(path, timezone="America/New_York")
    assert pd.Timestamp(int(frame.ts_open[0]), tz="UTC") == pd.Timestamp(  # type: ignore[attr-defined]
        "2014-01-06 05:00", tz="UTC"
    )
    with pytest.raises(DataError, match="timezone"):
        _load(path)  # no offset and no zone: refuse rather than assume UTC


def test_a_repeated_header_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("timestamp,open,high,low,close,close,volume\n"
                    "2014-01-06T00:00:00+00:00,10,11,9,999,10.5,100\n")  # fmt: skip
    with pytest.raises(
        DataError, match=r"row 1, rule header: the header repeats column\(s\) close"
    ):
        _load(path)


def test_rows_longer_than_the_header_are_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("timestamp,open,high,low,close,volume\n"
                    "7,2014-01-06T00:00:00+00:00,10,11,9,10.5,100\n")  # fmt: skip
    with pytest.raises(DataError, match="row 2, rule field_count: 7 fields where the header has 6"):
        _load(path)


def test_resampling_refuses_inputs_that_close_after_their_output_bar(tmp_path: Path) -> None:
    # Hourly bars on the hour; XNYS opens at 09:30, so 2h buckets would end at 11:30 while the
    # 11:00 bar closes at 12:00: its close would be used before it was known.
    hours = pd.date_range("2014-01-06 10:00", periods=6, freq="1h", tz="America/New_York")
    close = np.arange(6, dtype=float) + 100
    pd.DataFrame({"timestamp": [t.isoformat() for t in hours], "open": close, "high": close,
                  "low": close, "close": close, "volume": 1.0}).to_csv(tmp_path / "h.csv",
                                                                        index=False)  # fmt: skip
    frame = load_bars(DataConfig(symbol="X", path=tmp_path / "h.csv", frequency="1h"))
    with pytest.raises(DataError, match="rule misaligned"):
        resample_bars(frame, "2h", get_calendar("XNYS"))


def test_bare_carriage_return_line_ends_get_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"timestamp,open,high,low,close,volume\r2014-01-06T00:00:00+00:00,1,1,1,1,1\r")
    with pytest.raises(DataError, match="rule line_endings: lines end with a bare carriage"):
        _load(path)


def test_writing_to_a_read_only_store_is_a_data_error(tmp_path: Path) -> None:
    from quantrail.data.store import open_store

    url = f"duckdb:///{tmp_path / 'bars.duckdb'}"
    path = tmp_path / "bars.csv"
    path.write_text("timestamp,open,high,low,close,volume\n2014-01-06T00:00:00+00:00,1,1,1,1,1\n")
    frame = _load(path)
    with open_store(url) as store:
        store.write(frame)  # type: ignore[arg-type]
    with open_store(url, read_only=True) as store, pytest.raises(DataError, match="read-only"):
        store.write(frame)  # type: ignore[arg-type]
