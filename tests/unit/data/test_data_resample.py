"""Resampling minute bars within sessions, and building bars from trade ticks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from quantrail.core.errors import DataError
from quantrail.data import BarFrame, DataConfig, load_bars
from quantrail.data.calendars import get_calendar, session_label
from quantrail.data.cleaning import DropExtendedHours
from quantrail.data.frame import iso_utc
from quantrail.data.resample import bars_from_trades, resample_bars

DATA = Path(__file__).resolve().parents[3] / "data"
SPY_MINUTE = DATA / "equity_minute_SPY_2011-03.csv"
BITSTAMP = Path("/work/shared/data/trade_tick_BTCUSD_bitstamp_2011-09_2012-05.csv")


def ns(text: str) -> int:
    return int(pd.Timestamp(text).as_unit("ns").value)


def regular_spy() -> BarFrame:
    frame = load_bars(DataConfig(symbol="SPY", path=SPY_MINUTE, frequency="1min"))
    cleaned, _ = DropExtendedHours()(frame, get_calendar("XNYS"))
    return cleaned


def hand_daily(date: str) -> tuple[float, float, float, float, float]:
    """The session's OHLCV straight from the CSV, 09:30 <= New York time < 16:00."""
    table = pd.read_csv(SPY_MINUTE)
    local = pd.to_datetime(table["timestamp"], utc=True).dt.tz_convert("America/New_York")
    hhmm = local.dt.strftime("%H:%M")
    rows = table[(local.dt.strftime("%Y-%m-%d") == date) & (hhmm >= "09:30") & (hhmm < "16:00")]
    return (
        float(rows["open"].iloc[0]),
        float(rows["high"].max()),
        float(rows["low"].min()),
        float(rows["close"].iloc[-1]),
        float(rows["volume"].sum()),
    )


def ohlcv(frame: BarFrame, i: int) -> tuple[float, float, float, float, float]:
    return (
        float(frame.open[i]),
        float(frame.high[i]),
        float(frame.low[i]),
        float(frame.close[i]),
        float(frame.volume[i]),
    )


def test_spy_minutes_to_daily_match_hand_computed_sessions() -> None:
    minutes = regular_spy()
    started = time.perf_counter()
    daily = resample_bars(minutes, "1d", get_calendar("XNYS"))
    assert time.perf_counter() - started < 0.5
    assert len(daily) == 23
    assert ohlcv(daily, 0) == (133.57, 133.69, 130.92, 130.92, 182607874.0)
    assert ohlcv(daily, 0) == hand_daily("2011-03-01")
    mid = [session_label(d) for d in daily.session].index("2011-03-15")  # after the DST change
    assert ohlcv(daily, mid) == hand_daily("2011-03-15")
    assert iso_utc(int(daily.ts_open[mid])) == "2011-03-15T13:30:00+00:00"
    assert iso_utc(int(daily.ts[mid])) == "2011-03-15T20:00:00+00:00"  # known at the close
    assert daily.row_numbers[0] == 202  # the 09:30 bar of 2011-03-01
    assert daily.row_numbers[mid] == 7867
    assert daily.frequency_ns == 86_400 * 10**9
    assert daily.source.endswith("[resampled to 1d]")


def test_hourly_bars_stop_at_the_session_close() -> None:
    hourly = resample_bars(regular_spy(), "1h", get_calendar("XNYS"))
    assert len(hourly) == 23 * 7  # 09:30, 10:30, ..., 14:30 full hours, then 15:30-16:00
    first_day = [
        (iso_utc(int(a)), iso_utc(int(b)))
        for a, b in zip(hourly.ts_open[:7], hourly.ts[:7], strict=True)
    ]
    assert first_day[0] == ("2011-03-01T14:30:00+00:00", "2011-03-01T15:30:00+00:00")
    assert first_day[-1] == ("2011-03-01T20:30:00+00:00", "2011-03-01T21:00:00+00:00")
    assert (hourly.ts - hourly.ts_open <= 3_600 * 10**9).all()
    five = resample_bars(regular_spy(), "5min", get_calendar("XNYS"))
    assert len(five) == 23 * 78
    assert five.volume.sum() == regular_spy().volume.sum()


def test_partial_last_bar_on_an_early_close(load_csv: Any) -> None:
    start = pd.Timestamp("2011-11-25T09:30:00")
    lines = [
        f"{(start + pd.Timedelta(minutes=k)).isoformat()}-05:00,"
        f"{10 + k},{11 + k},{9 + k},{10 + k},1"
        for k in range(210)  # 09:30 .. 12:59; the exchange closed at 13:00
    ]
    hourly = resample_bars(load_csv(lines, frequency="1min"), "1h", get_calendar("XNYS"))
    assert len(hourly) == 4
    assert iso_utc(int(hourly.ts_open[-1])) == "2011-11-25T17:30:00+00:00"
    assert iso_utc(int(hourly.ts[-1])) == "2011-11-25T18:00:00+00:00"  # 13:00 New York
    assert ohlcv(hourly, 3) == (190.0, 220.0, 189.0, 219.0, 30.0)
    assert hourly.row_numbers.tolist() == [2, 62, 122, 182]


def test_extended_hours_input_is_refused() -> None:
    frame = load_bars(DataConfig(symbol="SPY", path=SPY_MINUTE, frequency="1min"))
    with pytest.raises(DataError, match=r"row 2, rule outside_session: 8607 bar\(s\)"):
        resample_bars(frame, "1d", get_calendar("XNYS"))


def test_unsorted_or_duplicated_input_is_refused(load_csv: Any) -> None:
    dup = ["2014-01-06T09:30:00-05:00,1,1,1,1,1"] * 2
    with pytest.raises(DataError, match="row 3, rule duplicate_timestamp"):
        resample_bars(load_csv(dup, frequency="1min"), "5min", get_calendar("XNYS"))


@pytest.mark.parametrize("target", ["1min", "90s", "2d"])
def test_bad_targets(load_csv: Any, target: str) -> None:
    frame = load_csv(["2014-01-06T09:30:00-05:00,1,1,1,1,1"], frequency="1min")
    with pytest.raises(ValueError, match="cannot resample"):
        resample_bars(frame, target, get_calendar("XNYS"))


# Ticks (time, price, size) with hand-computed 1-minute bars.
TICKS = [
    ("2014-01-06T14:30:05Z", 10.0, 1.0),
    ("2014-01-06T14:30:30Z", 12.0, 2.0),
    ("2014-01-06T14:30:59.999Z", 9.0, 1.0),
    ("2014-01-06T14:31:00Z", 11.0, 5.0),  # on the boundary: belongs to the next bar
    ("2014-01-06T14:33:10Z", 10.5, 1.0),  # no trade in 14:32: no bar
]


def tick_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.array([ns(t) for t, _, _ in TICKS]),
        np.array([p for _, p, _ in TICKS]),
        np.array([s for _, _, s in TICKS]),
    )


def test_ticks_to_minute_bars_by_hand() -> None:
    bars = bars_from_trades(*tick_arrays(), "1min", symbol="X", source="ticks.csv")
    assert [iso_utc(int(t)) for t in bars.ts_open] == [
        "2014-01-06T14:30:00+00:00",
        "2014-01-06T14:31:00+00:00",
        "2014-01-06T14:33:00+00:00",
    ]
    assert (bars.ts - bars.ts_open == 60 * 10**9).all()  # stamped at the interval end
    assert [ohlcv(bars, i) for i in range(3)] == [
        (10.0, 12.0, 9.0, 9.0, 4.0),
        (11.0, 11.0, 11.0, 11.0, 5.0),
        (10.5, 10.5, 10.5, 10.5, 1.0),
    ]
    assert bars.row_numbers.tolist() == [1, 4, 5]
    assert bars.symbol == "X"
    assert bars.source == "ticks.csv [1min bars from trades]"
    assert np.isnan(bars.bid).all()


def test_ticks_with_a_calendar_honour_sessions() -> None:
    ts, price, size = tick_arrays()
    xnys = get_calendar("XNYS")
    daily = bars_from_trades(ts, price, size, "1d", xnys)
    assert len(daily) == 1
    assert ohlcv(daily, 0) == (10.0, 12.0, 9.0, 10.5, 10.0)
    assert iso_utc(int(daily.ts[0])) == "2014-01-06T21:00:00+00:00"
    late = bars_from_trades([ns("2014-01-06T20:45:00Z")], [1.0], [1.0], "1h", xnys)
    assert iso_utc(int(late.ts_open[0])) == "2014-01-06T20:30:00+00:00"
    assert iso_utc(int(late.ts[0])) == "2014-01-06T21:00:00+00:00"
    with pytest.raises(DataError, match="row 1, rule outside_session"):
        bars_from_trades([ns("2014-01-06T22:00:00Z")], [1.0], [1.0], "1min", xnys)


@pytest.mark.parametrize(
    ("index", "field", "value", "rule"),
    [
        (1, "ts", 0, "out_of_order"),
        (2, "price", -1.0, "bad_price"),
        (3, "size", np.nan, "bad_size"),
    ],
)
def test_bad_ticks_name_the_row(index: int, field: str, value: float, rule: str) -> None:
    arrays = dict(zip(("ts", "price", "size"), (a.copy() for a in tick_arrays()), strict=True))
    arrays[field] = arrays[field].astype(type(value) if field != "ts" else np.int64)
    arrays[field][index] = value
    with pytest.raises(DataError, match=rf"row {index + 1}, rule {rule}"):
        bars_from_trades(arrays["ts"], arrays["price"], arrays["size"], "1min")


@pytest.mark.skipif(not BITSTAMP.exists(), reason="shared tick file not available")
def test_real_bitstamp_ticks_to_minute_bars() -> None:
    table = pd.read_csv(BITSTAMP)
    ts = pd.to_datetime(table["timestamp"], utc=True).dt.as_unit("ns").astype("int64").to_numpy()
    price, size = table["price"].to_numpy(), table["size"].to_numpy()
    bars = bars_from_trades(ts, price, size, "1min", get_calendar("24/7"), source=str(BITSTAMP))
    assert len(bars) == len(np.unique(ts // (60 * 10**9)))
    assert bars.volume.sum() == pytest.approx(size.sum(), rel=1e-12)
    assert (bars.high >= np.maximum(bars.open, bars.close)).all()
    assert (bars.low <= np.minimum(bars.open, bars.close)).all()
    assert bars.row_numbers[0] == 1
    assert np.all(np.diff(bars.ts_open) >= 60 * 10**9)
