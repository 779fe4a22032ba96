"""load_bars: timestamp conventions, zones, sessions, formats and malformed input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from quantrail.core.errors import DataError
from quantrail.core.time import NANOS_PER_DAY, NANOS_PER_MINUTE
from quantrail.data import DataConfig, load_bars

HOUR = 60 * NANOS_PER_MINUTE


def utc_ns(text: str) -> int:
    return int(pd.Timestamp(text).as_unit("ns").value)


def days_since_epoch(date: str) -> int:
    return utc_ns(f"{date}T00:00:00+00:00") // NANOS_PER_DAY


def test_bar_start_ts_is_start_plus_frequency(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("2014-01-06"), bar("2014-01-07")])
    start = utc_ns("2014-01-06T05:00:00+00:00")
    assert frame.ts_open.tolist() == [start, start + NANOS_PER_DAY]
    assert frame.ts.tolist() == [start + NANOS_PER_DAY, start + 2 * NANOS_PER_DAY]
    assert frame.session.tolist() == [
        days_since_epoch("2014-01-06"),
        days_since_epoch("2014-01-07"),
    ]
    assert frame.frequency_ns == NANOS_PER_DAY


def test_bar_end_ts_is_file_time(load_csv: Any, bar: Any) -> None:
    frame = load_csv(
        [bar("2014-01-06T09:31:00-05:00"), bar("2014-01-06T09:32:00-05:00")],
        frequency="1min",
        timestamps="bar_end",
    )
    end = utc_ns("2014-01-06T14:31:00+00:00")
    assert frame.ts.tolist() == [end, end + NANOS_PER_MINUTE]
    assert frame.ts_open.tolist() == [end - NANOS_PER_MINUTE, end]


def test_bar_end_daily_stamped_at_close_keeps_its_trading_date(load_csv: Any, bar: Any) -> None:
    frame = load_csv(
        [bar("2014-01-06T16:00:00-05:00"), bar("2014-01-07T00:00:00-05:00")],
        timestamps="bar_end",
    )
    # Stamped at the close, and stamped at the following midnight: both trade on Jan 6.
    assert frame.session.tolist() == [days_since_epoch("2014-01-06")] * 2


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2014-01-06T09:30:00-05:00", "2014-01-06T14:30:00+00:00"),
        ("2014-07-07T09:30:00-04:00", "2014-07-07T13:30:00+00:00"),
        ("2014-07-07T09:30:00+05:30", "2014-07-07T04:00:00+00:00"),
        ("2014-07-07T09:30:00Z", "2014-07-07T09:30:00+00:00"),
        ("2014-07-07 09:30:00+00:00", "2014-07-07T09:30:00+00:00"),
    ],
)
def test_offsets_are_converted_to_utc(load_csv: Any, bar: Any, stamp: str, expected: str) -> None:
    frame = load_csv([bar(stamp)], frequency="1min")
    assert frame.ts_open.tolist() == [utc_ns(expected)]


def test_naive_timestamps_need_a_timezone(load_csv: Any, bar: Any) -> None:
    with pytest.raises(DataError, match="timezone") as info:
        load_csv([bar("2014-01-06T09:30:00")], frequency="1min")
    assert "bars.csv" in str(info.value)


def test_naive_timestamps_localized_in_timezone(load_csv: Any, bar: Any) -> None:
    frame = load_csv(
        [bar("2014-01-06T09:30:00"), bar("2014-07-07T09:30:00"), "2014-07-08,1,1,1,1,1"],
        frequency="1min",
        timezone="America/New_York",
    )
    assert frame.ts_open.tolist() == [
        utc_ns("2014-01-06T14:30:00+00:00"),
        utc_ns("2014-07-07T13:30:00+00:00"),
        utc_ns("2014-07-08T04:00:00+00:00"),
    ]


@pytest.mark.parametrize(
    ("stamp", "why"),
    [("2014-11-02T01:30:00", "ambiguous"), ("2014-03-09T02:30:00", "does not exist")],
)
def test_dst_ambiguous_or_missing_local_time_names_the_row(
    load_csv: Any, bar: Any, stamp: str, why: str
) -> None:
    with pytest.raises(DataError, match=why) as info:
        load_csv(
            [bar("2014-01-06T09:30:00"), bar(stamp)], frequency="1min", timezone="America/New_York"
        )
    assert info.value.row == 3


def test_offset_in_file_wins_over_timezone(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("2014-01-06T09:30:00+00:00")], frequency="1min", timezone="Asia/Tokyo")
    assert frame.ts_open.tolist() == [utc_ns("2014-01-06T09:30:00+00:00")]


def test_mixing_naive_and_offset_timestamps_is_rejected(load_csv: Any, bar: Any) -> None:
    with pytest.raises(DataError, match="no UTC offset") as info:
        load_csv([bar("2014-01-06"), bar("2014-01-07T00:00:00")], timezone="America/New_York")
    assert info.value.row == 3


def test_sessions_use_session_timezone(load_csv: Any, bar: Any) -> None:
    lines = [bar("2014-01-06T23:59:00+00:00"), bar("2014-01-07T04:59:00+00:00")]
    equity = load_csv(lines, frequency="1min")
    crypto = load_csv(lines, frequency="1min", asset_class="crypto")
    assert equity.session.tolist() == [days_since_epoch("2014-01-06")] * 2
    assert crypto.session.tolist() == [days_since_epoch(d) for d in ("2014-01-06", "2014-01-07")]


def test_rows_returned_as_found_in_file_order(load_csv: Any, bar: Any) -> None:
    frame = load_csv(
        [
            bar("2014-01-08", c=3),
            bar("2014-01-06", c=1),
            bar("2014-01-08", c=""),
        ]
    )
    assert frame.close[:2].tolist() == [3.0, 1.0]
    assert np.isnan(frame.close[2])
    assert frame.row_numbers.tolist() == [2, 3, 4]
    assert np.isnan(frame.bid).all()
    assert np.isnan(frame.ask).all()


def test_header_is_case_insensitive_and_extra_columns_ignored(load_csv: Any) -> None:
    header = "Timestamp,OPEN,High,Low,Close,Volume,Adj Close"
    frame = load_csv(["2014-01-06T00:00:00-05:00,1,2,0.5,1.5,7,1.4"], header=header)
    assert (frame.open[0], frame.high[0], frame.low[0], frame.close[0], frame.volume[0]) == (
        1.0,
        2.0,
        0.5,
        1.5,
        7.0,
    )


def test_bid_ask_columns_are_loaded(load_csv: Any) -> None:
    frame = load_csv(
        ["2014-01-06T00:00:00-05:00,1,2,0.5,1.5,7,1.49,1.51"],
        header="timestamp,open,high,low,close,volume,bid,ask",
    )
    assert (frame.bid[0], frame.ask[0]) == (1.49, 1.51)


def test_blank_lines_keep_true_line_numbers(write_csv: Any, bar: Any) -> None:
    path = write_csv([bar("2014-01-06"), "", bar("2014-01-07"), "   ", "", bar("2014-01-08")])
    frame = load_bars(DataConfig(symbol="T", path=path, frequency="1d"))
    assert frame.row_numbers.tolist() == [2, 4, 7]


def test_frame_is_read_only(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("2014-01-06")])
    with pytest.raises(ValueError, match="read-only"):
        frame.close[0] = 1.0
    assert frame.bar(0).close == 10.5
    assert len(frame) == 1


def test_relative_path_resolved_against_base_dir(write_csv: Any, bar: Any) -> None:
    path = write_csv([bar("2014-01-06")], name="rel.csv")
    frame = load_bars(DataConfig(symbol="T", path=Path("rel.csv"), frequency="1d"), path.parent)
    assert frame.source == "rel.csv"
    assert len(frame) == 1


# --- malformed input ------------------------------------------------------------------------


def test_missing_column_named(load_csv: Any) -> None:
    with pytest.raises(DataError, match=r"missing required column.*volume") as info:
        load_csv(["2014-01-06T00:00:00-05:00,1,2,0.5,1.5"], header="timestamp,open,high,low,close")
    assert "bars.csv" in str(info.value)


def test_garbage_number_names_line_and_column(load_csv: Any, bar: Any) -> None:
    with pytest.raises(DataError, match="column close: 'abc' is not a number") as info:
        load_csv([bar("2014-01-06"), bar("2014-01-07", c="abc"), bar("2014-01-08")])
    assert info.value.row == 3
    assert "bars.csv, row 3" in str(info.value)


def test_garbage_timestamp_names_line(load_csv: Any, bar: Any) -> None:
    with pytest.raises(DataError, match="cannot parse 'yesterday'") as info:
        load_csv([bar("2014-01-06"), bar("yesterday")])
    assert info.value.row == 3


def test_empty_timestamp_names_line(load_csv: Any, bar: Any) -> None:
    with pytest.raises(DataError, match="timestamp is empty") as info:
        load_csv([bar("2014-01-06"), ",1,2,0.5,1.5,7"])
    assert info.value.row == 3


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match=r"empty\.csv: the file is empty"):
        load_bars(DataConfig(symbol="T", path=path, frequency="1d"))


def test_header_only_file(load_csv: Any) -> None:
    with pytest.raises(DataError, match="no bars"):
        load_csv([])


def test_too_many_fields_is_rejected(load_csv: Any, bar: Any) -> None:
    with pytest.raises(DataError, match="line 3"):
        load_csv([bar("2014-01-06"), bar("2014-01-07") + ",99"])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        load_bars(DataConfig(symbol="T", path=tmp_path / "nope.csv", frequency="1d"))


# --- parquet ----------------------------------------------------------------------------------


def test_parquet_round_trip_matches_csv(write_csv: Any, bar: Any, tmp_path: Path) -> None:
    lines = [bar("2014-01-06"), bar("2014-01-07", c=11), bar("2014-07-08T00:00:00-04:00", v=0)]
    csv_frame = load_bars(DataConfig(symbol="T", path=write_csv(lines), frequency="1d"))
    table = pd.read_csv(tmp_path / "bars.csv")
    as_text = tmp_path / "text.parquet"
    table.to_parquet(as_text)
    as_time = tmp_path / "time.pq"
    table.assign(timestamp=pd.to_datetime(table["timestamp"], utc=True)).to_parquet(as_time)
    for path in (as_text, as_time):
        frame = load_bars(DataConfig(symbol="T", path=path, frequency="1d"))
        for name in ("ts", "ts_open", "open", "high", "low", "close", "volume", "session"):
            assert np.array_equal(getattr(frame, name), getattr(csv_frame, name)), name
        assert frame.row_numbers.tolist() == [1, 2, 3]


def test_parquet_naive_datetimes_need_timezone(tmp_path: Path) -> None:
    path = tmp_path / "naive.parquet"
    pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2014-01-06 09:30"]),
            "open": [1.0],
            "high": [1.0],
            "low": [1.0],
            "close": [1.0],
            "volume": [1.0],
        }
    ).to_parquet(path)
    with pytest.raises(DataError, match="timezone"):
        load_bars(DataConfig(symbol="T", path=path, frequency="1min"))
    frame = load_bars(
        DataConfig(symbol="T", path=path, frequency="1min", timezone="America/New_York")
    )
    assert frame.ts_open.tolist() == [utc_ns("2014-01-06T14:30:00+00:00")]


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_text("not parquet at all")
    with pytest.raises(DataError, match="cannot read as parquet"):
        load_bars(DataConfig(symbol="T", path=path, frequency="1d"))


# --- quotes_path ------------------------------------------------------------------------------

QUOTE_HEADER = "timestamp,bid_open,bid_close,ask_open,ask_close"


def test_quotes_joined_on_timestamp(write_csv: Any, bar: Any) -> None:
    bars = write_csv([bar("2014-01-06"), bar("2014-01-07"), bar("2014-01-08")])
    quotes = write_csv(
        [
            "2014-01-08T00:00:00-05:00,1,10.3,1,10.6",  # out of order in the quote file: fine
            "2014-01-06T00:00:00-05:00,1,10.1,1,10.2",
            "2014-01-09T00:00:00-05:00,1,99,1,99",  # no bar for it: ignored
        ],
        header=QUOTE_HEADER,
        name="quotes.csv",
    )
    frame = load_bars(DataConfig(symbol="T", path=bars, frequency="1d", quotes_path=quotes))
    assert frame.bid.tolist()[::2] == [10.1, 10.3]
    assert frame.ask.tolist()[::2] == [10.2, 10.6]
    assert np.isnan(frame.bid[1])
    assert np.isnan(frame.ask[1])


def test_duplicate_quote_timestamps_rejected(write_csv: Any, bar: Any) -> None:
    bars = write_csv([bar("2014-01-06")])
    quote = "2014-01-06T00:00:00-05:00,1,10.1,1,10.2"
    quotes = write_csv([quote, quote], header=QUOTE_HEADER, name="quotes.csv")
    with pytest.raises(DataError, match="rule duplicate_timestamp") as info:
        load_bars(DataConfig(symbol="T", path=bars, frequency="1d", quotes_path=quotes))
    assert info.value.row == 3
    assert "quotes.csv" in str(info.value)


def test_quotes_path_and_bid_columns_conflict(write_csv: Any) -> None:
    bars = write_csv(
        ["2014-01-06T00:00:00-05:00,1,2,0.5,1.5,7,1.4"],
        header="timestamp,open,high,low,close,volume,bid",
    )
    quotes = write_csv(
        ["2014-01-06T00:00:00-05:00,1,10.1,1,10.2"], header=QUOTE_HEADER, name="q.csv"
    )
    with pytest.raises(DataError, match="use one source"):
        load_bars(DataConfig(symbol="T", path=bars, frequency="1d", quotes_path=quotes))


def test_quotes_file_missing_ask_close(write_csv: Any, bar: Any) -> None:
    bars = write_csv([bar("2014-01-06")])
    quotes = write_csv(
        ["2014-01-06T00:00:00-05:00,10.1"], header="timestamp,bid_close", name="q.csv"
    )
    with pytest.raises(DataError, match="ask_close"):
        load_bars(DataConfig(symbol="T", path=bars, frequency="1d", quotes_path=quotes))
