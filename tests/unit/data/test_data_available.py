"""available_at stamps and as-of joins never hand out a value before it was known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantrail.core import DataError
from quantrail.data import DataConfig, get_calendar, load_bars
from quantrail.data.available import as_of, bar_available_at, end_of_day_available_at
from tests.conftest import DATA


def test_a_daily_close_is_usable_from_the_next_session_open() -> None:
    frame = load_bars(DataConfig(symbol="SPY", path=DATA / "equity_daily_SPY.csv", frequency="1d"))
    calendar = get_calendar("XNYS")
    # Friday 2012-10-26, then the exchange was closed on Monday and Tuesday (Hurricane Sandy).
    friday = int((pd.Timestamp("2012-10-26") - pd.Timestamp("1970-01-01")).days)
    available = end_of_day_available_at(np.array([friday]), calendar)
    assert pd.Timestamp(int(available[0]), tz="UTC") == pd.Timestamp(
        "2012-10-31 09:30", tz="America/New_York"
    )
    assert (bar_available_at(frame) == frame.ts).all()


def test_the_last_session_has_no_next_open() -> None:
    calendar = get_calendar("XNYS")
    with pytest.raises(DataError, match="after the last one"):
        end_of_day_available_at(np.array([int(calendar.sessions[-1])]), calendar)


def test_as_of_returns_nothing_before_a_value_is_available() -> None:
    available = np.array([10, 20, 30])
    values = np.array([1.0, 2.0, 3.0])
    got = as_of(available, values, np.array([5, 10, 19, 20, 35]))
    np.testing.assert_array_equal(got[1:], [1.0, 1.0, 2.0, 3.0])
    assert np.isnan(got[0])


@given(
    st.lists(st.integers(0, 1_000), min_size=1, max_size=50).map(sorted),
    st.lists(st.integers(-10, 1_100), min_size=1, max_size=50),
)
def test_as_of_never_uses_a_value_stamped_after_the_query(
    stamps: list[int], queries: list[int]
) -> None:
    available = np.array(stamps, dtype=np.int64)
    values = available.astype(float)  # each value equals its own availability time
    got = as_of(available, values, np.array(queries, dtype=np.int64))
    for query, value in zip(queries, got, strict=True):
        assert np.isnan(value) or value <= query
