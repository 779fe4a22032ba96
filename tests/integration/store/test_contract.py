"""The bar-store contract, run unchanged against every back-end (see conftest ``store_url``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from quantrail.core.errors import DataError
from quantrail.core.time import NANOS_PER_DAY, NANOS_PER_MINUTE
from quantrail.data import BarFrame, load_bars
from quantrail.data.store import SeriesInfo, open_store
from tests.conftest import DATA
from tests.integration.store.conftest import spy_data_config

COLUMNS = ("ts", "ts_open", "open", "high", "low", "close", "volume", "bid", "ask", "session")


def assert_same_bars(actual: BarFrame, expected: BarFrame) -> None:
    assert actual.symbol == expected.symbol
    assert actual.frequency_ns == expected.frequency_ns
    assert len(actual) == len(expected)
    for name in COLUMNS:
        a, e = getattr(actual, name), getattr(expected, name)
        assert a.dtype == e.dtype, name
        np.testing.assert_array_equal(a, e, err_msg=name)  # NaN == NaN here


def sliced(frame: BarFrame, lo: int, hi: int, **changes: np.ndarray) -> BarFrame:
    """Rows ``lo:hi`` of ``frame``, with some columns replaced."""
    columns = {name: getattr(frame, name)[lo:hi] for name in (*COLUMNS, "row_numbers")}
    columns.update(changes)
    return replace(frame, **columns)


def test_round_trip_equals_the_loaded_frame(store_url: str, spy_frame: BarFrame) -> None:
    with open_store(store_url) as store:
        assert store.write(spy_frame).inserted == len(spy_frame)
        back = store.read("SPY", NANOS_PER_DAY)
    assert_same_bars(back, spy_frame)
    assert back.source.endswith("#SPY@1d")
    assert back.source.split("#")[0] in store_url
    np.testing.assert_array_equal(back.row_numbers, np.arange(1, len(spy_frame) + 1))


def test_bars_survive_closing_and_read_only_reopening(store_url: str, spy_frame: BarFrame) -> None:
    with open_store(store_url) as store:
        store.write(spy_frame)
    with open_store(store_url, read_only=True) as store:
        assert_same_bars(store.read("SPY", NANOS_PER_DAY), spy_frame)


def test_quotes_with_nan_round_trip_and_reimport(store_url: str) -> None:
    cfg = spy_data_config(
        symbol="BTCUSD",
        path=DATA / "crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv",
        quotes_path=DATA / "quote_minute_BTCUSD_2018-04-04_2018-04-05.csv",
        frequency="1min",
        asset_class="crypto",
        timezone=None,
    )
    frame = load_bars(cfg)
    assert np.isfinite(frame.bid).any()
    with open_store(store_url) as store:
        store.write(frame)
        assert_same_bars(store.read("BTCUSD", NANOS_PER_MINUTE), frame)
        nan_bid = replace(frame, bid=np.where(np.arange(len(frame)) % 2 == 0, np.nan, frame.bid))
        other = replace(nan_bid, symbol="BTC2")
        store.write(other)
        # An absent quote written again is the same bar, not a conflict.
        assert store.write(other).skipped == len(frame)


def test_reimport_is_idempotent(store_url: str, spy_frame: BarFrame) -> None:
    with open_store(store_url) as store:
        first = store.write(spy_frame)
        again = store.write(spy_frame)
    with open_store(store_url) as store:
        third = store.write(spy_frame)
        listed = store.list()
    assert (first.inserted, first.skipped) == (len(spy_frame), 0)
    assert (again.inserted, again.skipped) == (0, len(spy_frame))
    assert (third.inserted, third.skipped) == (0, len(spy_frame))
    assert [s.rows for s in listed] == [len(spy_frame)]


def test_overlapping_import_inserts_only_the_new_bars(store_url: str, spy_frame: BarFrame) -> None:
    with open_store(store_url) as store:
        store.write(sliced(spy_frame, 0, 1000))
        result = store.write(sliced(spy_frame, 500, 1500))
        assert (result.inserted, result.skipped) == (500, 500)
        assert_same_bars(store.read("SPY", NANOS_PER_DAY), sliced(spy_frame, 0, 1500))


def test_conflicting_values_raise_and_write_nothing(store_url: str, spy_frame: BarFrame) -> None:
    changed = spy_frame.close[50:300].copy()
    changed[[30, 10]] += 0.01  # bars 80 and 60 of the file, both already stored
    newer = sliced(spy_frame, 50, 300, close=changed)
    with open_store(store_url) as store:
        store.write(sliced(spy_frame, 0, 100))
        with pytest.raises(DataError) as caught:
            store.write(newer)
        rows = store.list()[0].rows
        back = store.read("SPY", NANOS_PER_DAY)
    error = caught.value
    assert error.rule == "store_conflict"
    assert error.row == int(spy_frame.row_numbers[60])
    assert "SPY@1d" in str(error)
    assert "2 bar(s) already stored with different values" in str(error)
    assert "bar start 2008-03-28T04:00:00+00:00" in str(error)  # the first one, bar 60
    assert "close stored" in str(error)
    assert "nothing was written" in str(error)
    assert rows == 100  # the 200 new bars of the refused write were not inserted
    assert_same_bars(back, sliced(spy_frame, 0, 100))


def test_a_frame_repeating_a_bar_start_is_refused(store_url: str, spy_frame: BarFrame) -> None:
    order = np.r_[np.arange(10), 5]
    repeated = replace(
        spy_frame, **{name: getattr(spy_frame, name)[order] for name in (*COLUMNS, "row_numbers")}
    )
    with open_store(store_url) as store:
        with pytest.raises(DataError, match="repeats row 7") as caught:
            store.write(repeated)
        assert store.list() == []
    assert caught.value.rule == "duplicate_timestamp"


def test_range_reads_are_start_inclusive_end_exclusive(store_url: str, spy_frame: BarFrame) -> None:
    ts_open = spy_frame.ts_open
    with open_store(store_url) as store:
        store.write(spy_frame)
        middle = store.read("SPY", NANOS_PER_DAY, int(ts_open[100]), int(ts_open[200]))
        head = store.read("SPY", NANOS_PER_DAY, end_ns=int(ts_open[10]))
        tail = store.read("SPY", NANOS_PER_DAY, start_ns=int(ts_open[-5]))
        between = store.read("SPY", NANOS_PER_DAY, int(ts_open[100]) + 1, int(ts_open[102]))
        with pytest.raises(DataError, match="no bars of SPY at frequency 1d with bar start in"):
            store.read("SPY", NANOS_PER_DAY, start_ns=int(ts_open[-1]) + 1)
    assert_same_bars(middle, sliced(spy_frame, 100, 200))
    assert_same_bars(head, sliced(spy_frame, 0, 10))
    assert_same_bars(tail, sliced(spy_frame, len(spy_frame) - 5, len(spy_frame)))
    assert_same_bars(between, sliced(spy_frame, 101, 102))


def test_list_and_read_several_symbols_and_frequencies(store_url: str, spy_frame: BarFrame) -> None:
    gld = load_bars(spy_data_config(symbol="GLD", path=DATA / "equity_daily_GLD.csv"))
    spy_minutes = load_bars(
        spy_data_config(path=DATA / "equity_minute_SPY_2011-03.csv", frequency="1min")
    )
    with open_store(store_url) as store:
        assert store.list() == []
        for frame in (spy_minutes, gld, spy_frame):
            store.write(frame)
        listed = store.list()
        assert_same_bars(store.read("GLD", NANOS_PER_DAY), gld)
        assert_same_bars(store.read("SPY", NANOS_PER_MINUTE), spy_minutes)
        assert_same_bars(store.read("SPY", NANOS_PER_DAY), spy_frame)
    assert listed == [
        SeriesInfo("GLD", NANOS_PER_DAY, int(gld.ts_open[0]), int(gld.ts_open[-1]), len(gld)),
        SeriesInfo(
            "SPY", NANOS_PER_MINUTE, int(spy_minutes.ts_open[0]), int(spy_minutes.ts_open[-1]),
            len(spy_minutes),
        ),
        SeriesInfo(
            "SPY", NANOS_PER_DAY, int(spy_frame.ts_open[0]), int(spy_frame.ts_open[-1]),
            len(spy_frame),
        ),
    ]  # fmt: skip
    assert [s.frequency for s in listed] == ["1d", "1min", "1d"]


def test_reading_a_missing_series_names_it(store_url: str, spy_frame: BarFrame) -> None:
    with open_store(store_url) as store:
        with pytest.raises(DataError, match="no bars of SPY at frequency 1d"):
            store.read("SPY", NANOS_PER_DAY)
        store.write(spy_frame)
        with pytest.raises(DataError, match="no bars of GLD at frequency 1d"):
            store.read("GLD", NANOS_PER_DAY)
        with pytest.raises(DataError, match="no bars of SPY at frequency 1h"):
            store.read("SPY", 3600 * 10**9)


def test_an_empty_frame_writes_nothing(store_url: str, spy_frame: BarFrame) -> None:
    with open_store(store_url) as store:
        result = store.write(sliced(spy_frame, 0, 0))
        assert (result.inserted, result.skipped) == (0, 0)
        assert store.list() == []
