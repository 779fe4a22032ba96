"""Trading calendars: sessions, regular hours, missing sessions and missing intraday bars."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from quantrail.core.errors import ConfigError, DataError
from quantrail.data import DataConfig, load_bars, validate_bars
from quantrail.data.calendars import (
    get_calendar,
    missing_intraday_bars,
    missing_sessions,
    off_calendar_rows,
    regular_hours_mask,
    session_close_ns,
    session_label,
    session_open_ns,
)
from quantrail.data.frame import iso_utc

DATA = Path(__file__).resolve().parents[3] / "data"
SPY_MINUTE = DATA / "equity_minute_SPY_2011-03.csv"
BTC = DATA / "crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv"


def day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def ns(text: str) -> int:
    return int(pd.Timestamp(text).as_unit("ns").value)


def minute_lines(
    date: str, offset: str, start: str, count: int, skip: tuple[int, ...] = ()
) -> list[str]:
    first = pd.Timestamp(f"{date}T{start}")
    return [
        f"{(first + pd.Timedelta(minutes=k)).isoformat()}{offset},10,11,9,10.5,100"
        for k in range(count)
        if k not in skip
    ]


def spy_minute() -> Any:
    return load_bars(DataConfig(symbol="SPY", path=SPY_MINUTE, frequency="1min"))


def test_get_calendar_is_cached_and_resolves_aliases() -> None:
    xnys = get_calendar("XNYS")
    assert get_calendar("XNYS") is xnys
    assert get_calendar("NYSE").name == "XNYS"
    assert xnys.tz == "America/New_York"
    assert xnys.sessions[0] <= day("2000-01-03")  # ORCL 2000 is covered


def test_unknown_calendar_is_a_config_error_listing_valid_names() -> None:
    with pytest.raises(ConfigError, match=r"unknown trading calendar 'NYSX'.*XNYS.*24/7"):
        get_calendar("NYSX")


def test_building_a_calendar_emits_no_warning() -> None:
    # pytest turns warnings into errors; XHKG touches deprecated pandas APIs while building.
    hkg = get_calendar.__wrapped__("XHKG")
    assert hkg.name == "XHKG"
    assert (hkg.break_starts_ns < hkg.break_ends_ns).any()


def test_session_open_and_close_including_an_early_close() -> None:
    xnys = get_calendar("XNYS")
    sessions = np.array([day("2011-03-01"), day("2011-03-15"), day("2011-11-25")])
    assert [iso_utc(t) for t in session_open_ns(xnys, sessions)] == [
        "2011-03-01T14:30:00+00:00",
        "2011-03-15T13:30:00+00:00",  # daylight saving time began on 2011-03-13
        "2011-11-25T14:30:00+00:00",
    ]
    assert iso_utc(int(session_close_ns(xnys, sessions)[2])) == "2011-11-25T18:00:00+00:00"
    with pytest.raises(ValueError, match="2012-10-29 is not a XNYS session"):
        session_close_ns(xnys, np.array([day("2012-10-29")]))


def test_hurricane_sandy_is_not_a_missing_session_but_a_deleted_row_is(
    write_csv: Any,
) -> None:
    spy_path = DATA / "equity_daily_SPY.csv"
    spy = load_bars(DataConfig(symbol="SPY", path=spy_path, frequency="1d"))
    xnys = get_calendar("XNYS")
    assert validate_bars(spy).issue("gap") is not None  # the crude rule reports Sandy
    assert len(missing_sessions(spy, xnys)) == 0  # the calendar knows the exchange was closed

    lines = spy_path.read_text().splitlines()
    deleted = [line for line in lines[1:] if not line.startswith("2012-11-01")]
    assert len(deleted) == len(lines) - 2
    holed = load_bars(DataConfig(symbol="SPY", path=write_csv(deleted), frequency="1d"))
    assert [session_label(d) for d in missing_sessions(holed, xnys)] == ["2012-11-01"]


def test_missing_sessions_skip_holidays_and_off_calendar_bars_are_found(
    load_csv: Any, bar: Any
) -> None:
    # Fri 2014-01-17, (MLK holiday Mon 01-20), Tue 01-21, (Wed 01-22 deleted), Thu 01-23.
    frame = load_csv([bar(d) for d in ("2014-01-17", "2014-01-21", "2014-01-23")])
    xnys = get_calendar("XNYS")
    assert [session_label(d) for d in missing_sessions(frame, xnys)] == ["2014-01-22"]
    assert off_calendar_rows(frame, xnys).tolist() == []

    on_holiday = load_csv([bar(d) for d in ("2014-01-17", "2014-01-20", "2014-01-21")])
    assert off_calendar_rows(on_holiday, xnys).tolist() == [1]
    assert regular_hours_mask(on_holiday, xnys).tolist() == [True, False, True]
    assert len(missing_sessions(on_holiday, xnys)) == 0
    ends_on_holiday = load_csv([bar(d) for d in ("2014-01-16", "2014-01-17", "2014-01-20")])
    assert len(missing_sessions(ends_on_holiday, xnys)) == 0  # 01-21 is after the last bar


def test_bars_outside_the_calendar_range_are_a_data_error(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("1985-01-02")])
    with pytest.raises(DataError, match=r"rule calendar_range: bars span 1985-01-02"):
        missing_sessions(frame, get_calendar("XNYS"))


def test_regular_hours_mask_on_the_spy_minute_file() -> None:
    frame = spy_minute()
    mask = regular_hours_mask(frame, get_calendar("XNYS"))
    # Independently: New York wall time of the bar start within [09:30, 16:00).
    local = pd.DatetimeIndex(pd.to_datetime(frame.ts_open, utc=True)).tz_convert("America/New_York")
    minutes = local.hour * 60 + local.minute
    expected = (minutes >= 9 * 60 + 30) & (minutes < 16 * 60)
    assert np.array_equal(mask, np.asarray(expected))
    assert int(mask.sum()) == 23 * 390  # 23 sessions in March 2011, all 390 minutes present
    assert int((~mask).sum()) == 8607  # pre- and after-market bars


def test_spy_minute_file_lacks_no_regular_hours_bar() -> None:
    frame = spy_minute()
    xnys = get_calendar("XNYS")
    started = time.perf_counter()
    found = missing_intraday_bars(frame, xnys)
    sessions = missing_sessions(frame, xnys)
    elapsed = time.perf_counter() - started
    assert (found.total, found.expected, len(sessions)) == (0, 23 * 390, 0)
    assert elapsed < 0.5, elapsed
    five = missing_intraday_bars(frame, xnys, "5min")
    assert (five.total, five.expected) == (0, 23 * 78)


def test_a_deleted_minute_is_counted_in_its_session(load_csv: Any) -> None:
    lines = minute_lines("2014-01-06", "-05:00", "09:30", 5, skip=(2,))
    found = missing_intraday_bars(load_csv(lines, frequency="1min"), get_calendar("XNYS"))
    assert [iso_utc(t) for t in found.starts] == ["2014-01-06T14:32:00+00:00"]
    assert [session_label(d) for d in found.sessions] == ["2014-01-06"]
    assert (found.counts.tolist(), found.expected, found.total) == ([1], 5, 1)


def test_missing_bars_are_counted_between_first_and_last_bar_only(load_csv: Any) -> None:
    # 01-06 09:30..09:34 and 01-07 09:30..09:32: the rest of 01-06 (09:35..15:59) is missing,
    # but nothing before the first bar or after the last one is expected.
    lines = minute_lines("2014-01-06", "-05:00", "09:30", 5) + minute_lines(
        "2014-01-07", "-05:00", "09:30", 3
    )
    found = missing_intraday_bars(load_csv(lines, frequency="1min"), get_calendar("XNYS"))
    assert found.expected == 390 + 3
    assert [session_label(d) for d in found.sessions] == ["2014-01-06"]
    assert found.counts.tolist() == [390 - 5]
    assert iso_utc(int(found.starts[0])) == "2014-01-06T14:35:00+00:00"
    assert iso_utc(int(found.starts[-1])) == "2014-01-06T20:59:00+00:00"


def test_early_close_session_expects_bars_until_13_00_only(load_csv: Any) -> None:
    lines = minute_lines("2011-11-25", "-05:00", "09:30", 211)  # 09:30 .. 13:00
    frame = load_csv(lines, frequency="1min")
    xnys = get_calendar("XNYS")
    mask = regular_hours_mask(frame, xnys)
    assert mask[:-1].all()
    assert not mask[-1]
    found = missing_intraday_bars(frame, xnys)
    assert (found.total, found.expected) == (0, 210)


def test_btc_hole_is_counted_minute_by_minute() -> None:
    cfg = DataConfig(symbol="BTC", path=BTC, frequency="1min", asset_class="crypto")
    frame = load_bars(cfg)
    assert cfg.calendar_name == "24/7"
    found = missing_intraday_bars(frame, get_calendar(cfg.calendar_name))
    # 16:46 is missing, 16:47 is there, then nothing from 16:48 to 23:59 (432 minutes).
    assert found.total == 433
    assert found.expected == 2 * 1440
    assert [session_label(d) for d in found.sessions] == ["2018-04-04"]
    assert iso_utc(int(found.starts[0])) == "2018-04-04T16:46:00+00:00"
    assert iso_utc(int(found.starts[1])) == "2018-04-04T16:48:00+00:00"
    assert iso_utc(int(found.starts[-1])) == "2018-04-04T23:59:00+00:00"
    assert len(missing_sessions(frame, get_calendar("24/7"))) == 0


def test_lunch_break_is_outside_regular_hours(load_csv: Any) -> None:
    # XHKG 2019-03-04: 09:30-12:00 and 13:00-16:00 Hong Kong time.
    lines = [
        f"2019-03-04T{t}:00+08:00,10,11,9,10.5,100" for t in ("11:59", "12:00", "12:59", "13:00")
    ]
    frame = load_csv(lines, frequency="1min", session_timezone="Asia/Hong_Kong")
    hkg = get_calendar("XHKG")
    assert regular_hours_mask(frame, hkg).tolist() == [True, False, False, True]
    found = missing_intraday_bars(frame, hkg)
    assert found.total == 0
    assert found.expected == 2
