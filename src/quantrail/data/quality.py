"""Data-quality report of one symbol against its trading calendar. Nothing is repaired here.

The report is a JSON-ready dict. Besides the per-file rules of :func:`validate_bars` (their
counts are included), it checks what needs a calendar or a statistical view:

* ``missing_sessions``: calendar sessions between the first and last bar without a bar;
* ``missing_intraday_bars`` (intraday only): expected bar starts in regular hours that are absent;
* ``off_calendar_bars``: bars on days that are not sessions; ``outside_regular_hours``: intraday
  bars starting outside regular hours (pre/after market);
* ``duplicates``: rows repeating an earlier row's ``ts`` (and how many repeat it exactly);
* ``spikes``: close-to-close log returns more than ``spike_sigmas`` robust standard deviations
  (1.4826 x median absolute deviation) from the median return;
* ``stale_runs``: ``stale_run`` or more consecutive bars with an identical close;
* ``crossed_quotes``: bid > ask; ``zero_volume_runs``: runs of zero-volume bars.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from quantrail.core.time import NANOS_PER_DAY
from quantrail.data._quality_html import render_html
from quantrail.data.calendars import (
    TradingCalendar,
    missing_intraday_bars,
    missing_sessions,
    off_calendar_rows,
    regular_hours_mask,
    session_label,
)
from quantrail.data.frame import BarFrame, FloatArray, IntArray, iso_utc
from quantrail.data.validate import validate_bars

__all__ = ["MAD_TO_SIGMA", "quality_report", "write_quality_report"]

MAD_TO_SIGMA = 1.4826
"""Scales a median absolute deviation to a standard deviation for normal data."""
_MEAN_AD_TO_SIGMA = math.sqrt(math.pi / 2)  # the same for the mean absolute deviation


def _runs(flags: np.ndarray) -> tuple[IntArray, IntArray]:
    """Start index and length of each run of True in ``flags``."""
    edges = np.diff(np.r_[0, flags.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return starts.astype(np.int64), (ends - starts).astype(np.int64)


class _Builder:
    def __init__(self, frame: BarFrame, max_examples: int) -> None:
        self.frame = frame
        self.max_examples = max_examples

    def example(self, i: int, detail: str) -> dict[str, Any]:
        f = self.frame
        return {
            "line": int(f.row_numbers[i]),
            "bar_start": iso_utc(int(f.ts_open[i])),
            "detail": detail,
        }

    def rows(self, where: IntArray, detail: Callable[[int], str]) -> dict[str, Any]:
        picked = where[: self.max_examples]
        return {
            "count": len(where),
            "examples": [self.example(int(i), detail(int(i))) for i in picked],
        }


def quality_report(
    frame: BarFrame,
    calendar: TradingCalendar,
    *,
    spike_sigmas: float = 8.0,
    stale_run: int = 5,
    zero_volume_run: int = 3,
    max_examples: int = 5,
) -> dict[str, Any]:
    """Build the quality report of one symbol's bars (the frame is not changed).

    Parameters
    ----------
    frame : BarFrame
        Bars as loaded.
    calendar : TradingCalendar
        The calendar gaps and regular hours are judged against.
    spike_sigmas : float
        A return further than this many robust standard deviations from the median is a spike.
    stale_run : int
        Minimum number of consecutive identical closes reported as a stale run.
    zero_volume_run : int
        Minimum number of consecutive zero-volume bars reported as a run.
    max_examples : int
        Example rows kept per check.

    Returns
    -------
    dict
        ``symbol``, ``source``, ``rows``, ``frequency_ns``, ``calendar``, ``first_bar``,
        ``last_bar``, ``validation`` (``ok`` and counts per rule of :func:`validate_bars`) and
        ``checks`` (one entry per check above, each with a ``count`` and ``examples``). Write it
        with :func:`write_quality_report`.
    """
    if spike_sigmas <= 0 or stale_run < 2 or zero_volume_run < 1:
        raise ValueError("need spike_sigmas > 0, stale_run >= 2 and zero_volume_run >= 1")
    f = frame
    b = _Builder(f, max_examples)
    validation = validate_bars(f, zero_volume_run=zero_volume_run, max_examples=max_examples)
    intraday = 0 < f.frequency_ns < NANOS_PER_DAY
    checks: dict[str, Any] = {}
    gone = missing_sessions(f, calendar)
    checks["missing_sessions"] = {
        "count": len(gone),
        "examples": [session_label(int(d)) for d in gone[:max_examples]],
    }
    if intraday:
        bars = missing_intraday_bars(f, calendar)
        worst = np.argsort(-bars.counts, kind="stable")[:max_examples]
        checks["missing_intraday_bars"] = {
            "count": bars.total,
            "expected": bars.expected,
            "sessions": len(bars.sessions),
            "worst_sessions": [
                {"session": session_label(int(bars.sessions[k])), "missing": int(bars.counts[k])}
                for k in worst
            ],
            "examples": [iso_utc(int(s)) for s in bars.starts[:max_examples]],
        }
        outside = np.flatnonzero(~regular_hours_mask(f, calendar))
        checks["outside_regular_hours"] = b.rows(outside, lambda i: "starts outside regular hours")
    off = off_calendar_rows(f, calendar)
    checks["off_calendar_bars"] = b.rows(
        off, lambda i: f"{session_label(int(f.session[i]))} is not a {calendar.name} session"
    )
    checks["duplicates"] = _duplicates(b)
    checks["spikes"] = _spikes(b, spike_sigmas)
    checks["stale_runs"] = _stale(b, stale_run)
    quoted = np.isfinite(f.bid) & np.isfinite(f.ask)
    crossed = np.flatnonzero(quoted & (f.bid > f.ask))
    checks["crossed_quotes"] = b.rows(crossed, lambda i: f"bid {f.bid[i]:g} > ask {f.ask[i]:g}")
    checks["crossed_quotes"]["quoted_bars"] = int(quoted.sum())
    checks["zero_volume_runs"] = _zero_volume(b, zero_volume_run)
    return {
        "symbol": f.symbol,
        "source": f.source,
        "rows": len(f),
        "frequency_ns": f.frequency_ns,
        "calendar": calendar.name,
        "first_bar": iso_utc(int(f.ts_open.min())) if len(f) else None,
        "last_bar": iso_utc(int(f.ts_open.max())) if len(f) else None,
        "validation": {
            "ok": validation.ok,
            "counts": {i.rule: i.count for i in validation.issues},
            "fatal": [i.rule for i in validation.fatal],
        },
        "checks": checks,
    }


def _duplicates(b: _Builder) -> dict[str, Any]:
    f = b.frame
    order = np.argsort(f.ts, kind="stable")
    same = f.ts[order][1:] == f.ts[order][:-1]
    repeats, firsts = order[1:][same], order[:-1][same]
    columns = (f.open, f.high, f.low, f.close, f.volume)
    identical = np.ones(len(repeats), dtype=bool)
    for col in columns:
        identical &= col[repeats] == col[firsts]
    first_of = dict(zip(repeats.tolist(), firsts.tolist(), strict=True))
    sorted_repeats = np.sort(repeats)
    out = b.rows(
        sorted_repeats,
        lambda i: f"same ts as line {int(f.row_numbers[first_of[i]])}",
    )
    out["identical_rows"] = int(identical.sum())
    return out


def _spikes(b: _Builder, sigmas: float) -> dict[str, Any]:
    close = b.frame.close
    usable = np.isfinite(close) & (close > 0)
    both = usable[1:] & usable[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        returns: FloatArray = np.where(both, np.log(close[1:] / close[:-1]), np.nan)
    finite = returns[np.isfinite(returns)]
    out: dict[str, Any] = {"count": 0, "threshold_sigmas": sigmas, "examples": []}
    if len(finite) < 3:
        return out | {"robust_sigma": None, "scale": "too few returns"}
    center = float(np.median(finite))
    scale, method = MAD_TO_SIGMA * float(np.median(np.abs(finite - center))), "mad"
    if scale == 0:
        # Over half the returns equal the median (quiet minutes): the MAD says nothing, so fall
        # back to the mean absolute deviation, which still sees the moves that did happen.
        scale, method = _MEAN_AD_TO_SIGMA * float(np.mean(np.abs(finite - center))), "mean_ad"
    if scale == 0:
        return out | {"robust_sigma": 0.0, "median_return": center, "scale": method}
    z = (returns - center) / scale
    hits = np.flatnonzero(np.abs(np.nan_to_num(z)) > sigmas) + 1  # the bar that moved
    found = b.rows(
        hits,
        lambda i: (
            f"log return {returns[i - 1]:+.4g} = {z[i - 1]:+.1f} sigma vs line "
            f"{int(b.frame.row_numbers[i - 1])}"
        ),
    )
    return out | found | {"robust_sigma": scale, "median_return": center, "scale": method}


def _stale(b: _Builder, min_run: int) -> dict[str, Any]:
    close = b.frame.close
    starts, lengths = _runs(close[1:] == close[:-1])
    keep = lengths + 1 >= min_run  # a run of k equal steps spans k + 1 bars
    starts, bars = starts[keep], lengths[keep] + 1
    size = dict(zip(starts.tolist(), bars.tolist(), strict=True))
    out = b.rows(starts, lambda i: f"{size[i]} bars with close {close[i]:g}")
    return out | {"min_run": min_run, "longest": int(bars.max()) if len(bars) else 0}


def _zero_volume(b: _Builder, min_run: int) -> dict[str, Any]:
    zero = b.frame.volume == 0
    starts, lengths = _runs(zero)
    keep = lengths >= min_run
    starts, lengths = starts[keep], lengths[keep]
    size = dict(zip(starts.tolist(), lengths.tolist(), strict=True))
    out = b.rows(starts, lambda i: f"{size[i]} zero-volume bars")
    longest = int(lengths.max()) if len(lengths) else 0
    return out | {"min_run": min_run, "longest": longest, "zero_volume_bars": int(zero.sum())}


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def write_quality_report(
    reports: Sequence[Mapping[str, Any]], out_dir: Path | str
) -> tuple[Path, Path]:
    """Write ``quality.json`` and a self-contained ``quality.html`` (no scripts, no network).

    Parameters
    ----------
    reports : sequence of dict
        One :func:`quality_report` per symbol.
    out_dir : Path or str
        Created if missing.

    Returns
    -------
    (Path, Path)
        The JSON and HTML files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    safe = [_json_safe(r) for r in reports]
    json_path, html_path = out / "quality.json", out / "quality.html"
    json_path.write_text(json.dumps({"reports": safe}, indent=2, allow_nan=False) + "\n")
    html_path.write_text(render_html(safe), encoding="utf-8")
    return json_path, html_path
