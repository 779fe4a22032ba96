"""Building coarser bars from minute bars or from trade ticks, honouring trading sessions.

Labels: every output bar has ``ts_open`` = the start of its interval and ``ts`` = the moment it
became known, its interval end. With a calendar, intervals are anchored at each regular-hours
segment's start (the open, or the end of a lunch break) and cut at the segment's end, so no
bar spans two sessions, and a session's last, partial bar is stamped at the session close. A
daily bar is one whole session: ``ts_open`` = the open, ``ts`` = the close. An interval without
input (no trade, no minute bar) gives no output bar; nothing is filled forward.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from quantrail.core.errors import DataError
from quantrail.core.time import NANOS_PER_DAY
from quantrail.data.calendars import TradingCalendar, as_ns, locate_segments
from quantrail.data.frame import BarFrame, FloatArray, IntArray, iso_utc

__all__ = ["bars_from_trades", "resample_bars"]


def _label(step: int) -> str:
    for unit, size in (("d", NANOS_PER_DAY), ("h", 3_600_000_000_000), ("min", 60_000_000_000)):
        if step % size == 0:
            return f"{step // size}{unit}"
    return f"{step}ns"


def _buckets(
    ts_open: IntArray,
    step: int,
    calendar: TradingCalendar | None,
    rows: IntArray,
    what: str,
    source: str,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Interval start, end and session label of each input, plus a key that changes per bar.

    Raises DataError naming the first input outside every regular session.
    """
    if calendar is None:
        start = ts_open - ts_open % step  # floor, also for times before 1970
        return start, start + step, start // NANOS_PER_DAY, start
    if ts_open.min() < calendar.opens_ns[0] or ts_open.max() >= calendar.closes_ns[-1]:
        raise DataError(
            f"{what}s span {iso_utc(int(ts_open.min()))}..{iso_utc(int(ts_open.max()))}, "
            f"beyond the sessions calendar {calendar.name} knows",
            source=source,
            rule="calendar_range",
        )
    seg = locate_segments(calendar, ts_open)
    outside = np.flatnonzero(seg < 0)
    if len(outside):
        i = int(outside[0])
        raise DataError(
            f"{len(outside)} {what}(s) outside {calendar.name} regular hours, the first at "
            f"{iso_utc(int(ts_open[i]))}; drop them first (cleaning step drop_extended_hours, "
            "or calendars.locate_segments(...) >= 0 for ticks)",
            source=source,
            row=int(rows[i]),
            rule="outside_session",
        )
    seg_start, seg_end = calendar.segment_starts_ns, calendar.segment_ends_ns
    owner = calendar.segment_sessions[seg]
    session = calendar.sessions[owner]
    if step >= NANOS_PER_DAY:
        return calendar.opens_ns[owner], calendar.closes_ns[owner], session, owner
    anchor = seg_start[seg]
    start = anchor + (ts_open - anchor) // step * step
    return start, np.minimum(start + step, seg_end[seg]), session, start


def _aggregate(
    keys: IntArray,
    first_price: FloatArray,
    high: FloatArray,
    low: FloatArray,
    last_price: FloatArray,
    volume: FloatArray,
) -> tuple[IntArray, IntArray, list[FloatArray]]:
    """Group consecutive equal keys; return first and last index and OHLCV per group."""
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    last = np.r_[first[1:], len(keys)] - 1
    columns = [
        first_price[first],
        np.maximum.reduceat(high, first),
        np.minimum.reduceat(low, first),
        last_price[last],
        np.add.reduceat(volume, first),
    ]
    return first, last, columns


def _require_increasing(ts: IntArray, rows: IntArray, source: str, strict: bool) -> None:
    bad = np.flatnonzero(ts[1:] <= ts[:-1] if strict else ts[1:] < ts[:-1])
    if len(bad):
        i = int(bad[0]) + 1
        repeated = ts[i] == ts[i - 1]
        raise DataError(
            f"{iso_utc(int(ts[i]))} {'repeats' if repeated else 'is earlier than'} the previous "
            "row; validate (and clean) the input before resampling",
            source=source,
            row=int(rows[i]),
            rule="duplicate_timestamp" if repeated else "out_of_order",
        )


def resample_bars(
    frame: BarFrame, target_frequency: str | int, calendar: TradingCalendar
) -> BarFrame:
    """Aggregate intraday bars into N-minute, hourly or daily bars within sessions.

    Parameters
    ----------
    frame : BarFrame
        Intraday bars in strictly increasing ``ts_open`` order, all inside regular hours (drop
        extended hours first with :mod:`quantrail.data.cleaning`).
    target_frequency : str or int
        ``"5min"``, ``"1h"``, ``"1d"`` (or ns). Intraday targets must be a multiple of the
        frame's frequency; ``1d`` means one bar per session.
    calendar : TradingCalendar
        Defines the sessions.

    Returns
    -------
    BarFrame
        open = first open, high = max, low = min, close = last close, volume = sum; bid/ask =
        the last input bar's (the quote at its close). ``row_numbers`` = the first input row's;
        ``session`` = the calendar's session label.

    Raises
    ------
    DataError
        Input out of order, duplicated, or outside regular hours (naming the row).
    ValueError
        The target is not coarser than, or not a multiple of, the input frequency.
    """
    step, src = as_ns(target_frequency), frame.frequency_ns
    if not 0 < src < NANOS_PER_DAY:
        raise ValueError(f"resample_bars needs intraday input, got {_label(src)} bars")
    if step > NANOS_PER_DAY or (step < NANOS_PER_DAY and (step <= src or step % src)):
        raise ValueError(
            f"cannot resample {_label(src)} bars to {_label(step)}: the target must be a "
            "multiple of the input frequency, and at most 1d (one bar per session)"
        )
    target_label = _label(step)
    source = f"{frame.source} [resampled to {target_label}]"
    if len(frame) == 0:
        return _frame(frame.symbol, step, source, *(np.empty(0, dtype=np.int64),) * 3, [])
    _require_increasing(frame.ts_open, frame.row_numbers, frame.source, strict=True)
    start, end, session, key = _buckets(
        frame.ts_open, step, calendar, frame.row_numbers, "bar", frame.source
    )
    # Each output bar is stamped known at ``end``: an input bar that closes later (inputs not
    # aligned with the session open) would put a price from the future into it.
    late = np.flatnonzero(frame.ts > end)
    if len(late):
        i = int(late[0])
        raise DataError(
            f"the bar starting {iso_utc(int(frame.ts_open[i]))} closes at "
            f"{iso_utc(int(frame.ts[i]))}, after the {target_label} bar it belongs to is known "
            f"({iso_utc(int(end[i]))}): the input bars are not aligned with the session open",
            source=frame.source, row=int(frame.row_numbers[i]), rule="misaligned",
        )  # fmt: skip
    first, last, ohlcv = _aggregate(
        key, frame.open, frame.high, frame.low, frame.close, frame.volume
    )
    return _frame(
        frame.symbol,
        step,
        source,
        start[first],
        end[first],
        session[first],
        [*ohlcv, frame.bid[last], frame.ask[last]],
        frame.row_numbers[first],
    )


def bars_from_trades(
    ts_ns: npt.ArrayLike,
    price: npt.ArrayLike,
    size: npt.ArrayLike,
    frequency: str | int,
    calendar: TradingCalendar | None = None,
    *,
    symbol: str = "",
    source: str = "trades",
    rows: npt.ArrayLike | None = None,
) -> BarFrame:
    """OHLCV bars from trade ticks.

    A tick at time t belongs to the interval ``[start, start + frequency)`` containing it, and
    the bar is stamped ``ts`` = the interval end (when it became known). An interval without
    trades has **no bar** (not a zero-volume bar, not a forward-filled close).

    Parameters
    ----------
    ts_ns, price, size : array-like
        Trade times (UTC ns, non-decreasing), prices (finite, > 0), sizes (finite, >= 0).
    frequency : str or int
        Bar length, e.g. ``"1min"`` (or ns).
    calendar : TradingCalendar, optional
        With a calendar, intervals are anchored at session opens and cut at session closes
        (``1d`` = one bar per session) and every tick must lie in regular hours. Without one,
        intervals are aligned to multiples of ``frequency`` since 1970-01-01 UTC and ``session``
        is the UTC date of the bar start.
    symbol, source : str
        Labels for the frame.
    rows : array-like, optional
        Row number of each tick (e.g. file lines); default 1, 2, 3, ... ``row_numbers`` of a bar
        is its first tick's.

    Raises
    ------
    DataError
        Naming the first tick that is out of order, has a bad price or size, or lies outside
        regular hours.
    """
    step = as_ns(frequency)
    if step <= 0:
        raise ValueError(f"frequency must be > 0, got {frequency!r}")
    ts = np.ascontiguousarray(ts_ns, dtype=np.int64)
    px = np.ascontiguousarray(price, dtype=np.float64)
    qty = np.ascontiguousarray(size, dtype=np.float64)
    n = len(ts)
    row = np.arange(1, n + 1, dtype=np.int64) if rows is None else np.asarray(rows, np.int64)
    if not len(px) == len(qty) == len(row) == n:
        raise ValueError("ts_ns, price, size (and rows) must have the same length")
    name = f"{source} [{_label(step)} bars from trades]"
    if n == 0:
        return _frame(symbol, step, name, *(np.empty(0, dtype=np.int64),) * 3, [])
    _require_increasing(ts, row, source, strict=False)
    for bad, rule, what in (
        (~(np.isfinite(px) & (px > 0)), "bad_price", "price must be finite and > 0"),
        (~(np.isfinite(qty) & (qty >= 0)), "bad_size", "size must be finite and >= 0"),
    ):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"{what}, got price {px[i]} size {qty[i]} ({int(bad.sum())} such ticks)",
                source=source,
                row=int(row[i]),
                rule=rule,
            )
    start, end, session, key = _buckets(ts, step, calendar, row, "tick", source)
    first, _, ohlcv = _aggregate(key, px, px, px, px, qty)
    nan = np.full(len(first), np.nan)
    return _frame(
        symbol, step, name, start[first], end[first], session[first], [*ohlcv, nan, nan], row[first]
    )


def _frame(
    symbol: str,
    step: int,
    source: str,
    ts_open: IntArray,
    ts: IntArray,
    session: IntArray,
    columns: Sequence[FloatArray],
    row_numbers: IntArray | None = None,
) -> BarFrame:
    if not columns:
        columns = [np.empty(0)] * 7
    o, h, lo, c, v, bid, ask = columns
    return BarFrame(
        symbol=symbol,
        frequency_ns=step,
        source=source,
        ts=ts,
        ts_open=ts_open,
        open=o,
        high=h,
        low=lo,
        close=c,
        volume=v,
        bid=bid,
        ask=ask,
        session=session,
        row_numbers=np.empty(0, dtype=np.int64) if row_numbers is None else row_numbers,
    )
