"""Trading calendars: which sessions exist, when they open and close, and what bars are missing.

A :class:`TradingCalendar` is a plain snapshot of an ``exchange_calendars`` calendar as int64
arrays (session labels as days since 1970-01-01, opens and closes as UTC ns), so every question
below is a ``searchsorted`` over a few thousand sessions, not a per-bar Python call.

A session's regular hours are split into *segments*: one ``[open, close)`` for most exchanges,
``[open, break_start)`` and ``[break_end, close)`` for exchanges with a lunch break. Intraday
bar grids are anchored at each segment's start.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import exchange_calendars as xcals  # type: ignore[import-untyped]
import numpy as np
import pandas as pd

from quantrail.core.errors import ConfigError, DataError
from quantrail.core.time import NANOS_PER_DAY, parse_duration
from quantrail.data.frame import BarFrame, IntArray

__all__ = [
    "MissingBars",
    "TradingCalendar",
    "as_ns",
    "get_calendar",
    "locate_segments",
    "missing_intraday_bars",
    "missing_sessions",
    "off_calendar_rows",
    "regular_hours_mask",
    "session_close_ns",
    "session_label",
    "session_open_ns",
]

_FIRST_SESSION = "1990-01-01"  # early enough for every bundled file; later if a calendar must
_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True, eq=False)
class TradingCalendar:
    """The sessions of one exchange calendar as int64 arrays (all the same length).

    Attributes
    ----------
    name : str
        The ``exchange_calendars`` name it was built from (aliases resolved, e.g. XNYS).
    tz : str
        The exchange's time zone; session labels are local dates there.
    sessions : ndarray of int64
        Session labels as days since 1970-01-01, ascending (comparable with
        :attr:`BarFrame.session`).
    opens_ns, closes_ns : ndarray of int64
        Regular-session open and close, UTC ns.
    break_starts_ns, break_ends_ns : ndarray of int64
        Lunch break bounds, UTC ns; equal to ``closes_ns`` on sessions without a break.
    segment_starts_ns, segment_ends_ns, segment_sessions : ndarray of int64
        Derived: the regular-hours segments by start time, and the position (in
        :attr:`sessions`) of the session each belongs to.
    """

    name: str
    tz: str
    sessions: IntArray
    opens_ns: IntArray
    closes_ns: IntArray
    break_starts_ns: IntArray
    break_ends_ns: IntArray
    segment_starts_ns: IntArray = field(init=False, repr=False)
    segment_ends_ns: IntArray = field(init=False, repr=False)
    segment_sessions: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pos = np.arange(len(self.sessions), dtype=np.int64)
        starts = np.concatenate([self.opens_ns, self.break_ends_ns])
        ends = np.concatenate([self.break_starts_ns, self.closes_ns])
        keep = ends > starts  # drops the empty after-break segment of sessions without a break
        order = np.argsort(starts[keep], kind="stable")
        object.__setattr__(self, "segment_starts_ns", starts[keep][order])
        object.__setattr__(self, "segment_ends_ns", ends[keep][order])
        object.__setattr__(self, "segment_sessions", np.concatenate([pos, pos])[keep][order])

    def __len__(self) -> int:
        return len(self.sessions)

    def positions(self, days: IntArray) -> IntArray:
        """Index of each session label in :attr:`sessions`, or -1 where it is not a session."""
        days = np.asarray(days, dtype=np.int64)
        pos = np.searchsorted(self.sessions, days)
        clipped = np.minimum(pos, len(self.sessions) - 1)
        return np.where(self.sessions[clipped] == days, clipped, -1).astype(np.int64)

    def check_covers(self, days: IntArray, source: str) -> None:
        """Raise DataError if any session label in ``days`` is outside the calendar's range."""
        if len(days) == 0:
            return
        lo, hi = int(np.min(days)), int(np.max(days))
        if lo < self.sessions[0] or hi > self.sessions[-1]:
            raise DataError(
                f"bars span {session_label(lo)}..{session_label(hi)} but calendar {self.name} "
                f"covers {session_label(int(self.sessions[0]))}.."
                f"{session_label(int(self.sessions[-1]))}",
                source=source,
                rule="calendar_range",
            )


def as_ns(duration: str | int) -> int:
    """A duration as ns: text such as ``"5min"`` is parsed, an int is taken as ns already."""
    return parse_duration(duration) if isinstance(duration, str) else int(duration)


def session_label(day: int) -> str:
    """Format a session label (days since 1970-01-01) as ``YYYY-MM-DD``."""
    return str(np.datetime64(int(day), "D"))


@cache
def get_calendar(name: str) -> TradingCalendar:
    """Return the trading calendar ``name`` (cached; built once per process).

    Parameters
    ----------
    name : str
        An ``exchange_calendars`` name or alias: ``XNYS`` (NYSE), ``XNAS``, ``XLON``, ...,
        ``24/7`` (crypto) or ``24/5`` (fx).

    Returns
    -------
    TradingCalendar
        Sessions from 1990-01-01 (or the calendar's first supported date) to about a year ahead.

    Raises
    ------
    ConfigError
        Unknown name (the message lists close matches), or the library cannot build it.
    """
    names = xcals.get_calendar_names()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise ConfigError(
            f"unknown trading calendar {name!r}; {hint}valid names include XNYS, XNAS, XLON, "
            f"XTKS, CMES, 24/7, 24/5 ({len(names)} in all; see "
            "exchange_calendars.get_calendar_names())",
            path="calendar",
        )
    cal = _build(name)
    # Read the schedule as UTC ns once; pandas' own accessors are slow and version-sensitive.
    schedule = cal.schedule
    columns = {
        col: pd.DatetimeIndex(schedule[col]).tz_convert("UTC").as_unit("ns").asi8.copy()
        for col in ("open", "close", "break_start", "break_end")
    }
    closes = columns["close"]
    no_break = (columns["break_start"] == _NAT) | (columns["break_end"] == _NAT)
    return TradingCalendar(
        name=str(cal.name),
        tz=str(cal.tz),
        sessions=pd.DatetimeIndex(schedule.index).as_unit("ns").asi8 // NANOS_PER_DAY,
        opens_ns=columns["open"],
        closes_ns=closes,
        break_starts_ns=np.where(no_break, closes, columns["break_start"]),
        break_ends_ns=np.where(no_break, closes, columns["break_end"]),
    )


def _build(name: str) -> Any:  # an untyped exchange_calendars.ExchangeCalendar
    # exchange_calendars 4.13 uses pandas APIs that pandas 3 deprecates (Pandas4Warning). They
    # are the library's to fix, not ours; silence exactly that category, only while building.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning)
        try:
            try:
                return xcals.get_calendar(name, start=_FIRST_SESSION)
            except ValueError:
                # The calendar starts later than 1990 (its holidays are not recorded earlier).
                return xcals.get_calendar(name)
        except (ValueError, NotImplementedError) as exc:
            raise ConfigError(
                f"trading calendar {name!r} cannot be built with the installed "
                f"exchange_calendars: {exc}",
                path="calendar",
            ) from exc


def session_open_ns(calendar: TradingCalendar, sessions: IntArray) -> IntArray:
    """Regular open (UTC ns) of each session label; ValueError if one is not a session."""
    return calendar.opens_ns[_require_sessions(calendar, sessions)]


def session_close_ns(calendar: TradingCalendar, sessions: IntArray) -> IntArray:
    """Regular close (UTC ns) of each session label; ValueError if one is not a session."""
    return calendar.closes_ns[_require_sessions(calendar, sessions)]


def _require_sessions(calendar: TradingCalendar, sessions: IntArray) -> IntArray:
    pos = calendar.positions(np.asarray(sessions, dtype=np.int64))
    if (pos < 0).any():
        bad = int(np.asarray(sessions)[np.flatnonzero(pos < 0)[0]])
        raise ValueError(f"{session_label(bad)} is not a {calendar.name} session")
    return pos


def locate_segments(calendar: TradingCalendar, ts_ns: IntArray) -> IntArray:
    """Index of the regular-hours segment containing each time, or -1 (outside regular hours).

    A time belongs to ``[segment start, segment end)``: the open is inside, the close is not.
    """
    starts, ends = calendar.segment_starts_ns, calendar.segment_ends_ns
    ts_ns = np.asarray(ts_ns, dtype=np.int64)
    j = np.searchsorted(starts, ts_ns, side="right") - 1
    inside = (j >= 0) & (ts_ns < ends[np.maximum(j, 0)])
    return np.where(inside, j, -1).astype(np.int64)


def _is_intraday(frame: BarFrame) -> bool:
    return 0 < frame.frequency_ns < NANOS_PER_DAY


def regular_hours_mask(frame: BarFrame, calendar: TradingCalendar) -> np.ndarray:
    """True for bars inside the calendar's regular session.

    Intraday bars: the bar's start (``ts_open``) lies in a session's regular hours (outside a
    lunch break). Daily bars: the bar's ``session`` is a calendar session.
    """
    calendar.check_covers(frame.session, frame.source)
    if _is_intraday(frame):
        return np.asarray(locate_segments(calendar, frame.ts_open) >= 0)
    return np.asarray(calendar.positions(frame.session) >= 0)


def off_calendar_rows(frame: BarFrame, calendar: TradingCalendar) -> IntArray:
    """Indices of bars whose ``session`` is not a calendar session (e.g. a bar on a holiday)."""
    calendar.check_covers(frame.session, frame.source)
    return np.flatnonzero(calendar.positions(frame.session) < 0).astype(np.int64)


def missing_sessions(frame: BarFrame, calendar: TradingCalendar) -> IntArray:
    """Calendar sessions between the first and last bar for which the frame has no bar.

    Exchange closures the calendar knows (holidays, Hurricane Sandy 2012-10-29/30 on XNYS) are
    not sessions, so they are never reported; a deleted row is. Intraday frames: a session is
    present when a bar starts in its regular hours.

    Returns
    -------
    ndarray of int64
        Session labels (days since 1970-01-01), ascending; format with :func:`session_label`.
    """
    if len(frame) == 0:
        return np.empty(0, dtype=np.int64)
    calendar.check_covers(frame.session, frame.source)
    if _is_intraday(frame):
        seg = locate_segments(calendar, frame.ts_open)
        present = calendar.segment_sessions[seg[seg >= 0]]
        lo, hi = int(frame.ts_open.min()), int(frame.ts_open.max())
        span = np.flatnonzero((calendar.opens_ns <= hi) & (calendar.closes_ns > lo))
    else:
        present = calendar.positions(frame.session)
        first = np.searchsorted(calendar.sessions, frame.session.min(), side="left")
        end = np.searchsorted(calendar.sessions, frame.session.max(), side="right")
        span = np.arange(first, end)
    return calendar.sessions[np.setdiff1d(span, present)]


@dataclass(frozen=True)
class MissingBars:
    """Expected intraday bar starts the data lacks, counted per session.

    Attributes
    ----------
    frequency_ns, expected : int
        The grid spacing, and how many bar starts it has between the first and last bar.
    sessions, counts : ndarray of int64
        Labels of the sessions with missing bars (ascending), and how many each lacks.
    starts : ndarray of int64
        Every missing bar start, UTC ns, ascending.
    """

    frequency_ns: int
    expected: int
    sessions: IntArray
    counts: IntArray
    starts: IntArray

    @property
    def total(self) -> int:
        """How many expected bars are missing in all."""
        return len(self.starts)


def missing_intraday_bars(
    frame: BarFrame, calendar: TradingCalendar, frequency: str | int | None = None
) -> MissingBars:
    """Expected bar starts inside regular sessions that the frame lacks.

    The grid is ``segment start + k * frequency`` within each regular-hours segment, limited to
    ``[first bar start, last bar start]`` so a file that begins mid-session is not blamed for the
    morning it never claimed to have. A bar start matches exactly (no tolerance). Trade-based
    bars have no bar for a minute without trades, so missing bars there are counted, not
    interpolated or guessed.

    Parameters
    ----------
    frame : BarFrame
        Intraday bars.
    calendar : TradingCalendar
        The calendar whose regular hours define the expected bars.
    frequency : str or int, optional
        Grid spacing (duration text or ns); default: the frame's own frequency.

    Returns
    -------
    MissingBars
    """
    step = frame.frequency_ns if frequency is None else as_ns(frequency)
    if not 0 < step < NANOS_PER_DAY:
        raise ValueError(f"missing_intraday_bars needs an intraday frequency, got {step} ns")
    empty = np.empty(0, dtype=np.int64)
    if len(frame) == 0:
        return MissingBars(step, 0, empty, empty, empty)
    calendar.check_covers(frame.session, frame.source)
    lo, hi = int(frame.ts_open.min()), int(frame.ts_open.max())
    seg_start, seg_end = calendar.segment_starts_ns, calendar.segment_ends_ns
    seg_owner = calendar.segment_sessions
    wanted = np.flatnonzero((seg_start <= hi) & (seg_end > lo))
    starts, owners = seg_start[wanted], seg_owner[wanted]
    per_segment = -(-(seg_end[wanted] - starts) // step)
    offsets = np.arange(int(per_segment.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(per_segment) - per_segment, per_segment
    )
    grid = np.repeat(starts, per_segment) + offsets * step
    grid_owner = np.repeat(owners, per_segment)
    in_span = (grid >= lo) & (grid <= hi)
    grid, grid_owner = grid[in_span], grid_owner[in_span]
    have = np.unique(frame.ts_open)
    found = np.searchsorted(have, grid)
    present = have[np.minimum(found, len(have) - 1)] == grid
    missing_owner = grid_owner[~present]
    owners_hit, counts = np.unique(missing_owner, return_counts=True)
    return MissingBars(
        frequency_ns=step,
        expected=len(grid),
        sessions=calendar.sessions[owners_hit],
        counts=counts.astype(np.int64),
        starts=grid[~present],
    )
