"""When a value may be used: ``available_at`` for derived fields, and as-of lookups.

A strategy or a research join may use a value only from its ``available_at``:

- a bar's fields: the bar's close (``BarFrame.ts``);
- an end-of-day field (a daily close used by an intraday model, a daily statistic): the open of
  the **next** session on the calendar, since the day's value is final only after the close and
  the first chance to act on it is the next session;
- a corporate action: when it was announced (``CorporateActions``; the bundled files have no
  announcement date, so their ex-date is used).

``as_of`` joins values to query times by these stamps, never by the time the value describes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from quantrail.core.errors import DataError
from quantrail.data.calendars import TradingCalendar
from quantrail.data.frame import BarFrame

__all__ = ["as_of", "bar_available_at", "end_of_day_available_at"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def bar_available_at(frame: BarFrame) -> IntArray:
    """A bar's fields are usable from its close: the moment it became known."""
    return frame.ts


def end_of_day_available_at(sessions: IntArray, calendar: TradingCalendar) -> IntArray:
    """The open (UTC ns) of the session after each session label in ``sessions``.

    Raises DataError when a label is not a session of ``calendar`` or is its last session
    (the next open is unknown).
    """
    sessions = np.asarray(sessions, dtype=np.int64)
    positions = calendar.positions(sessions)
    if (positions < 0).any():
        bad = int(sessions[int(np.flatnonzero(positions < 0)[0])])
        raise DataError(f"day {bad} is not a session of {calendar.name}", rule="calendar")
    following = positions + 1
    if (following >= len(calendar)).any():
        raise DataError(
            f"the session after the last one of {calendar.name} is unknown", rule="calendar_range"
        )
    return calendar.opens_ns[following]


def as_of(available_at: IntArray, values: FloatArray, query_ts: IntArray) -> FloatArray:
    """For each query time, the latest value whose ``available_at`` is at or before it.

    NaN where nothing was available yet. ``available_at`` must be non-decreasing.
    """
    available_at = np.asarray(available_at, dtype=np.int64)
    if len(available_at) > 1 and (np.diff(available_at) < 0).any():
        raise DataError("available_at must be non-decreasing", rule="out_of_order")
    index = np.searchsorted(available_at, np.asarray(query_ts, dtype=np.int64), side="right") - 1
    out = np.full(len(index), np.nan)
    known = index >= 0
    out[known] = np.asarray(values, dtype=np.float64)[index[known]]
    return out
