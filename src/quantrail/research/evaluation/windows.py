"""Window arithmetic: walk-forward folds and sub-periods over a run's bar timestamps.

Every window is a half-open interval ``[start, end)`` of **known** times (a bar's close stamp,
what the engine's clock and the equity index use), in UTC nanoseconds. Lengths are bar counts
(``int``: that many distinct timestamps) or durations (``str`` such as ``"365d"``, ``"26w"``,
parsed by :func:`quantrail.core.time.parse_duration`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from quantrail.core.time import parse_duration

__all__ = ["Fold", "Length", "Window", "equal_windows", "make_folds", "yearly_windows"]

Length = int | str
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Window:
    """Bars with ``start <= ts < end`` (UTC ns); ``label`` names it in tables."""

    label: str
    start: int
    end: int
    bars: int


@dataclass(frozen=True)
class Fold:
    """One walk-forward step: optimise on ``train``, then trade the choice on ``test``."""

    index: int
    train: Window
    test: Window


def make_folds(
    timestamps: npt.ArrayLike,
    *,
    train: Length,
    test: Length,
    step: Length | None = None,
    anchored: bool = False,
) -> list[Fold]:
    """Walk-forward folds over sorted bar timestamps.

    Rolling: fold k trains on ``[t0 + k·step, t0 + k·step + train)`` and tests on the ``test``
    that follows. Anchored: every training window starts at the first bar and grows by
    ``step``. With bar counts ``t0 + x`` means "x bars after the first"; with durations it is
    clock time. A fold is kept only when its test window is complete: with bar counts, when
    the data has all ``test`` bars; with durations, when the data reaches the window's end,
    i.e. ``end <= last bar + typical spacing`` (the median gap between bars). Folds whose
    windows hold fewer than two bars are dropped.

    Parameters
    ----------
    timestamps
        Distinct bar times in UTC ns, strictly increasing.
    train, test, step
        Bar counts (all ``int``) or durations (all ``str``); ``step`` defaults to ``test``.
        ``step < test`` is refused: overlapping test windows cannot be chained into one
        out-of-sample curve.
    anchored
        Grow the training window from the first bar instead of rolling it.

    Raises
    ------
    ValueError
        Mixed or non-positive lengths, ``step < test``, unsorted timestamps, or no fold fits.
    """
    ts = _checked(timestamps)
    step = test if step is None else step
    kinds = {isinstance(x, int) and not isinstance(x, bool) for x in (train, test, step)}
    if len(kinds) != 1:
        raise ValueError("train, test and step must all be bar counts or all be durations")
    if kinds == {True}:
        bounds = _bar_bounds(len(ts), int(train), int(test), int(step), anchored)
        edges = np.r_[ts, ts[-1] + 1]  # index len(ts) means "after the last bar"
        spans = [(edges[a], edges[b], edges[b], edges[c]) for a, b, c in bounds]
    else:
        spans = _time_bounds(ts, _duration(train), _duration(test), _duration(step), anchored)
    folds: list[Fold] = []
    for train_start, train_end, test_start, test_end in spans:
        train_w = _window("", ts, int(train_start), int(train_end))
        test_w = _window("", ts, int(test_start), int(test_end))
        if train_w.bars >= 2 and test_w.bars >= 2:
            folds.append(Fold(len(folds), train_w, test_w))
    if not folds:
        raise ValueError(
            f"no walk-forward fold fits in {len(ts)} bars with train={train!r}, test={test!r}, "
            f"step={step!r}"
        )
    return folds


def equal_windows(timestamps: npt.ArrayLike, n: int) -> list[Window]:
    """``n`` consecutive windows with bar counts differing by at most one."""
    ts = _checked(timestamps)
    if not 1 <= n <= len(ts) // 2:
        raise ValueError(f"cannot split {len(ts)} bars into {n} windows of at least 2 bars")
    edges = np.r_[ts, ts[-1] + 1]
    chunks = np.array_split(np.arange(len(ts)), n)
    return [_window("", ts, int(edges[c[0]]), int(edges[c[-1] + 1])) for c in chunks]


def yearly_windows(timestamps: npt.ArrayLike, frequency_ns: int) -> list[Window]:
    """One window per calendar year (UTC) of the bars' **open** times (``ts − frequency``).

    The open time is used because a daily bar stamped at its close is known just after
    midnight: by its close stamp, 31 December would fall into the next year. Years with fewer
    than two bars are dropped.
    """
    ts = _checked(timestamps)
    years = pd.DatetimeIndex(pd.to_datetime(ts - frequency_ns, unit="ns", utc=True)).year
    year_values = np.asarray(years, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, year_values[1:] != year_values[:-1]])
    edges = np.r_[ts, ts[-1] + 1]
    stops = np.r_[starts[1:], len(ts)]
    windows = [
        _window(str(year_values[a]), ts, int(edges[a]), int(edges[b]))
        for a, b in zip(starts, stops, strict=True)
    ]
    return [w for w in windows if w.bars >= 2]


def _bar_bounds(
    n: int, train: int, test: int, step: int, anchored: bool
) -> list[tuple[int, int, int]]:
    if min(train, test, step) <= 0:
        raise ValueError("train, test and step must be positive")
    if step < test:
        raise ValueError(f"step ({step}) must be >= test ({test}): test windows may not overlap")
    out: list[tuple[int, int, int]] = []
    k = 0
    while True:
        start = 0 if anchored else k * step
        split = train + k * step
        end = split + test
        if end > n:
            return out
        out.append((start, split, end))
        k += 1


def _time_bounds(
    ts: IntArray, train: int, test: int, step: int, anchored: bool
) -> list[tuple[int, int, int, int]]:
    if step < test:
        raise ValueError(f"step ({step} ns) must be >= test ({test} ns): test windows overlap")
    t0 = int(ts[0])
    # The data covers its last bar's interval too: a window ending one bar after it is complete.
    covered = int(ts[-1]) + int(np.median(np.diff(ts)))
    out: list[tuple[int, int, int, int]] = []
    k = 0
    while True:
        split = t0 + train + k * step
        end = split + test
        if end > covered:
            return out
        out.append((t0 if anchored else t0 + k * step, split, split, end))
        k += 1


def _duration(value: Length) -> int:
    ns = parse_duration(str(value))
    if ns <= 0:
        raise ValueError(f"window length must be positive, got {value!r}")
    return ns


def _window(prefix: str, ts: IntArray, start: int, end: int) -> Window:
    a, b = (int(i) for i in np.searchsorted(ts, [start, end]))
    # Labels name the first and last bar by their known (close) time, as the equity index does.
    label = prefix or (f"{_day(ts[a])}..{_day(ts[b - 1])}" if b > a else "empty")
    return Window(label, start, end, b - a)


def _day(ns: int) -> str:
    return pd.Timestamp(ns, unit="ns", tz="UTC").strftime("%Y-%m-%d")


def _checked(timestamps: npt.ArrayLike) -> IntArray:
    ts = np.asarray(timestamps, dtype=np.int64)
    if ts.ndim != 1 or len(ts) < 2:
        raise ValueError("need at least two bar timestamps")
    if np.any(np.diff(ts) <= 0):
        raise ValueError("bar timestamps must be strictly increasing")
    return ts
