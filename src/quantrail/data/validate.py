"""Data-quality rules for one :class:`~quantrail.data.frame.BarFrame`.

Every rule is a vectorized numpy mask over the whole frame; Python only loops over the handful
of example rows it formats. Gap detection is deliberately crude (no exchange calendar yet).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from quantrail.core.time import NANOS_PER_DAY, NANOS_PER_MINUTE, NANOS_PER_SECOND
from quantrail.data.frame import BarFrame, IntArray, iso_utc
from quantrail.data.report import Example, Issue, QualityReport, Severity

__all__ = ["RULES", "validate_bars"]

RULES: dict[str, tuple[Severity, str]] = {
    "duplicate_timestamp": ("fatal", "two bars have the same timestamp"),
    "out_of_order": ("fatal", "a bar's timestamp is earlier than the previous row's"),
    "nan_price": ("fatal", "open, high, low or close is NaN or infinite"),
    "non_positive_price": ("fatal", "open, high, low or close is zero or negative"),
    "negative_volume": ("fatal", "volume is negative"),
    "high_below_low": ("fatal", "high is below low"),
    "ohlc_high": ("warning", "high is below max(open, close)"),
    "ohlc_low": ("warning", "low is above min(open, close)"),
    "nan_volume": ("warning", "volume is NaN or infinite"),
    "zero_volume_run": ("warning", "a run of consecutive zero-volume bars"),
    "gap": ("warning", "consecutive bars further apart than the expected spacing"),
    "crossed_quote": ("warning", "bid is above ask"),
}
"""Rule name -> (severity, what it checks), in the order issues are reported."""

_PRICES = ("open", "high", "low", "close")
_GAP_SLACK_DAYS = 3  # a weekend plus one holiday between two daily bars is normal


def _duration(ns: int) -> str:
    for unit, size in (("d", NANOS_PER_DAY), ("h", 3600 * NANOS_PER_SECOND)):
        if ns >= size and ns % size == 0:
            return f"{ns // size}{unit}"
    if ns % NANOS_PER_MINUTE == 0:
        return f"{ns // NANOS_PER_MINUTE}min"
    return f"{ns / NANOS_PER_SECOND:g}s"


class _Checker:
    """Builds issues for one frame; holds the frame and how many examples to keep."""

    def __init__(self, frame: BarFrame, max_examples: int) -> None:
        self.frame = frame
        self.max_examples = max_examples
        self.has_quotes = bool(np.isfinite(frame.bid).any() or np.isfinite(frame.ask).any())
        self.issues: list[Issue] = []

    def values(self, i: int) -> dict[str, float]:
        f = self.frame
        names = (*_PRICES, "volume", *(("bid", "ask") if self.has_quotes else ()))
        return {name: float(getattr(f, name)[i]) for name in names}

    def add(
        self,
        rule: str,
        where: IntArray,
        detail: Callable[[int], str],
        count: int | None = None,
    ) -> None:
        """Record ``rule`` for the rows ``where`` (indices in file order), if there are any."""
        if len(where) == 0:
            return
        severity, description = RULES[rule]
        examples = tuple(
            Example(
                row=int(self.frame.row_numbers[i]),
                bar_start=iso_utc(int(self.frame.ts_open[i])),
                values=self.values(int(i)),
                detail=detail(int(i)),
            )
            for i in where[: self.max_examples]
        )
        total = len(where) if count is None else count
        self.issues.append(Issue(rule, severity, total, description, examples))

    def line(self, i: int) -> int:
        return int(self.frame.row_numbers[i])

    def start(self, i: int) -> str:
        return f"bar start {iso_utc(int(self.frame.ts_open[i]))}"


def validate_bars(
    frame: BarFrame, *, zero_volume_run: int = 3, max_examples: int = 5
) -> QualityReport:
    """Check a frame against every rule in :data:`RULES`; never modifies it.

    Parameters
    ----------
    frame : BarFrame
        Bars as loaded, in file order.
    zero_volume_run : int
        Minimum length of a run of zero-volume bars worth reporting (default 3).
    max_examples : int
        How many offending rows to keep per rule (default 5).

    Returns
    -------
    QualityReport
        Call ``raise_if_fatal()`` on it before using the frame in a backtest.
    """
    if zero_volume_run < 1:
        raise ValueError(f"zero_volume_run must be >= 1, got {zero_volume_run}")
    c = _Checker(frame, max_examples)
    _check_time(c)
    _check_prices(c)
    _check_volume(c, zero_volume_run)
    _check_gaps(c)
    if c.has_quotes:
        quoted = np.isfinite(frame.bid) & np.isfinite(frame.ask)
        c.add(
            "crossed_quote",
            np.flatnonzero(quoted & (frame.bid > frame.ask)),
            lambda i: f"bid {frame.bid[i]:g} > ask {frame.ask[i]:g}",
        )
    rank = list(RULES)
    issues = sorted(c.issues, key=lambda i: (i.severity != "fatal", rank.index(i.rule)))
    checked = tuple(r for r in RULES if r != "crossed_quote" or c.has_quotes)
    return QualityReport(
        source=frame.source,
        symbol=frame.symbol,
        rows=len(frame),
        first_ts=int(frame.ts.min()) if len(frame) else None,
        last_ts=int(frame.ts.max()) if len(frame) else None,
        issues=issues,
        rules_checked=checked,
    )


def _check_time(c: _Checker) -> None:
    ts = c.frame.ts
    n = len(ts)
    # A stable sort puts equal timestamps next to each other in file order, so duplicates are
    # found even when the file is unsorted, and each is reported against its first occurrence.
    order = np.argsort(ts, kind="stable")
    sorted_ts = ts[order]
    same = sorted_ts[1:] == sorted_ts[:-1]
    group_start = np.maximum.accumulate(np.where(np.r_[True, ~same], np.arange(n), 0))
    first_of = np.empty(n, dtype=np.int64)
    first_of[order] = order[group_start]
    dups = np.sort(order[1:][same])
    c.add(
        "duplicate_timestamp",
        dups,
        lambda i: f"{c.start(i)} repeats row {c.line(int(first_of[i]))}",
    )
    earlier = np.flatnonzero(ts[1:] < ts[:-1]) + 1
    c.add(
        "out_of_order",
        earlier,
        lambda i: f"{c.start(i)} is earlier than row {c.line(i - 1)} ({c.start(i - 1)})",
    )


def _check_prices(c: _Checker) -> None:
    f = c.frame
    prices = np.vstack([f.open, f.high, f.low, f.close])

    def columns(mask_of: Callable[[int], np.ndarray]) -> Callable[[int], str]:
        return lambda i: ", ".join(
            f"{name}={prices[k, i]:g}" for k, name in enumerate(_PRICES) if mask_of(i)[k]
        )

    finite = np.isfinite(prices)
    c.add("nan_price", np.flatnonzero(~finite.all(axis=0)), columns(lambda i: ~finite[:, i]))
    non_positive = prices <= 0
    c.add(
        "non_positive_price",
        np.flatnonzero(non_positive.any(axis=0)),
        columns(lambda i: non_positive[:, i]),
    )
    c.add(
        "high_below_low",
        np.flatnonzero(f.high < f.low),
        lambda i: f"high {f.high[i]:g} < low {f.low[i]:g}",
    )
    body_top = np.maximum(f.open, f.close)
    body_bottom = np.minimum(f.open, f.close)
    c.add(
        "ohlc_high",
        np.flatnonzero(f.high < body_top),
        lambda i: f"high {f.high[i]:g} < max(open, close) {body_top[i]:g}",
    )
    c.add(
        "ohlc_low",
        np.flatnonzero(f.low > body_bottom),
        lambda i: f"low {f.low[i]:g} > min(open, close) {body_bottom[i]:g}",
    )


def _check_volume(c: _Checker, min_run: int) -> None:
    volume = c.frame.volume
    c.add("negative_volume", np.flatnonzero(volume < 0), lambda i: f"volume {volume[i]:g}")
    c.add("nan_volume", np.flatnonzero(~np.isfinite(volume)), lambda i: f"volume {volume[i]}")
    edges = np.diff(np.r_[0, (volume == 0).astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long_runs = (ends - starts) >= min_run
    run_end = dict(zip(starts[long_runs].tolist(), ends[long_runs].tolist(), strict=True))
    c.add(
        "zero_volume_run",
        starts[long_runs],
        lambda i: f"{run_end[i] - i} zero-volume bars, rows {c.line(i)}-{c.line(run_end[i] - 1)}",
    )


def _check_gaps(c: _Checker) -> None:
    f = c.frame
    frequency = f.frequency_ns
    if len(f) < 2 or frequency <= 0:
        return
    if frequency >= NANOS_PER_DAY:
        # Compare trading dates, not nanoseconds, so DST shifts do not matter.
        allowed = -(-frequency // NANOS_PER_DAY) + _GAP_SLACK_DAYS
        days = np.diff(f.session)
        gaps = np.flatnonzero(days > allowed) + 1
        c.add("gap", gaps, lambda i: f"{int(days[i - 1])} calendar days after row {c.line(i - 1)}")
        return
    # Intraday: only within a session; the overnight break is not a gap.
    step = np.diff(f.ts_open)
    gaps = np.flatnonzero((step > frequency) & (f.session[1:] == f.session[:-1])) + 1
    c.add(
        "gap",
        gaps,
        lambda i: (
            f"{_duration(int(step[i - 1]))} after row {c.line(i - 1)} (expected "
            f"{_duration(frequency)}), {c.start(i)}"
        ),
    )
