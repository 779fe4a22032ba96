"""Look-ahead detector: a decision made by time T must not change when the data ends at T.

The strategy runs once on the full data and once per cut point T on the bars known at or
before T (written to their own files). Without look-ahead, every decision made at or before T
(each order submitted, with the state the strategy reported, each modify and cancel; see
``decisions.py``), every fill booked on a bar at or before T and the equity up to T are
identical in both runs. Each difference is reported with its timestamp; the earliest one is
where the strategy (or something it reads) first used information from after T.

Only what the runs are fed can differ: a strategy reading a file the detector does not cut
(e.g. a hard-coded path) peeks identically in both runs and goes unseen. An ``on_stop`` that
places orders shows up as extra orders at T in the cut runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantrail.engine.config import RunConfig
from quantrail.engine.results import BacktestResult
from quantrail.research.evaluation.decisions import Decision, run_recorded
from quantrail.research.evaluation.runner import WindowedData
from quantrail.research.evaluation.verdict import Verdict

__all__ = ["LookaheadResult", "compare_runs", "detect_lookahead"]

DIFFERENCE_COLUMNS = ("cut", "kind", "ts", "key", "field", "full", "truncated")


@dataclass(frozen=True)
class LookaheadResult:
    """The cut points, every difference found (one row each) and the verdict."""

    cuts: list[pd.Timestamp]
    differences: pd.DataFrame
    checked: pd.DataFrame  # per cut: decisions, fills and equity points compared, differences
    verdict: Verdict
    equity: pd.Series  # the full run's, for the report


def detect_lookahead(
    config: RunConfig,
    *,
    cuts: int | Sequence[pd.Timestamp | str] = 5,
    base_dir: Path | None = None,
) -> LookaheadResult:
    """Rerun ``config`` on data truncated at each cut and report decisions that differ.

    Parameters
    ----------
    config
        The run to check.
    cuts
        A number of cut points spread evenly over the bars (at the ``i/(n+1)`` quantiles of
        the bar times), or explicit times (each snapped to the last bar at or before it).
    base_dir
        Directory relative data paths are resolved against.
    """
    with tempfile.TemporaryDirectory(prefix="quantrail-la-") as workdir:
        data = WindowedData(config, Path(workdir), base_dir)
        points = _cut_points(data.timestamps, cuts)
        full = run_recorded(data.windowed(config))
        frames = []
        checked = []
        for cut in points:
            truncated = run_recorded(data.windowed(config, None, cut + 1))
            found, counts = compare_runs(full, truncated, cut)
            frames.append(found)
            checked.append({"cut": _ts(cut), **counts, "differences": len(found)})
    differences = pd.concat(frames, ignore_index=True) if frames else _empty()
    failures = []
    if len(differences):
        first = differences.sort_values("ts").iloc[0]
        failures.append(
            f"{len(differences)} difference(s); earliest at {first['ts']} "
            f"({first['kind']} {first['key']} {first['field']}) with the data cut at {first['cut']}"
        )
    return LookaheadResult(
        cuts=[_ts(c) for c in points],
        differences=differences,
        checked=pd.DataFrame(checked),
        verdict=Verdict.of(failures),
        equity=full[0].equity,
    )


def compare_runs(
    full: tuple[BacktestResult, list[Decision]],
    truncated: tuple[BacktestResult, list[Decision]],
    cut: int,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Differences between two recorded runs up to ``cut`` (UTC ns, inclusive).

    Decisions are matched by (kind, client order id, occurrence): ids are issued in decision
    order, so the same decisions get the same ids. Fills are matched by fill id, equity by
    timestamp (only the first differing point is reported; the rest follow from it).
    """
    t = _ts(cut)
    (result_a, log_a), (result_b, log_b) = full, truncated
    decisions_a = _keyed([d for d in log_a if d.ts <= cut])
    decisions_b = _keyed([d for d in log_b if d.ts <= cut])
    rows: list[dict[str, Any]] = []
    for key in list(decisions_a) + [k for k in decisions_b if k not in decisions_a]:
        a, b = decisions_a.get(key), decisions_b.get(key)
        label = f"{key[1]} {key[2]}" if key[2] else key[1]
        if a is None or b is None:
            ts = a.ts if a is not None else b.ts  # type: ignore[union-attr]
            what, x, y = ("missing", "present", None) if b is None else ("extra", None, "present")
            rows.append(_difference(t, key[0], ts, label, what, x, y))
            continue
        for name in dict.fromkeys([*a.fields, *b.fields]):  # a stable order for the report
            x, y = a.fields.get(name), b.fields.get(name)
            if not _same(x, y):
                rows.append(_difference(t, key[0], a.ts, label, name, x, y))
    fills_a = result_a.fills[result_a.fills["event_ts"] <= t].set_index("fill_id")
    fills_b = result_b.fills[result_b.fills["event_ts"] <= t].set_index("fill_id")
    fields = tuple(c for c in result_a.fills.columns if c != "fill_id")
    rows += _diff_frames("fill", fills_a, fills_b, fields, "event_ts", t)
    eq_a = result_a.equity[result_a.equity.index <= t]
    eq_b = result_b.equity[result_b.equity.index <= t]
    joined = pd.concat([eq_a.rename("full"), eq_b.rename("truncated")], axis=1)
    same = np.isclose(joined["full"], joined["truncated"], rtol=1e-12, atol=1e-9)
    for ts, row in joined[~same].head(1).iterrows():
        rows.append(_difference(t, "equity", ts, "", "equity", row["full"], row["truncated"]))
    counts = {"decisions": len(decisions_a), "fills": len(fills_a), "equity_points": len(eq_a)}
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS)), counts


def _keyed(log: list[Decision]) -> dict[tuple[str, str, int], Decision]:
    seen: dict[tuple[str, str], int] = {}
    out = {}
    for decision in log:
        n = seen.get((decision.kind, decision.key), 0)
        seen[(decision.kind, decision.key)] = n + 1
        out[(decision.kind, decision.key, n)] = decision
    return out


def _diff_frames(
    kind: str,
    a: pd.DataFrame,
    b: pd.DataFrame,
    fields: Sequence[str],
    time_field: str,
    cut: pd.Timestamp,
) -> list[dict[str, Any]]:
    rows = []
    for key in a.index.union(b.index, sort=False):
        if key not in b.index:
            rows.append(
                _difference(cut, kind, a.at[key, time_field], key, "missing", "present", None)
            )
        elif key not in a.index:
            rows.append(
                _difference(cut, kind, b.at[key, time_field], key, "extra", None, "present")
            )
        else:
            for name in fields:
                x, y = a.at[key, name], b.at[key, name]
                if not _same(x, y):
                    rows.append(_difference(cut, kind, a.at[key, time_field], key, name, x, y))
    return rows


def _same(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return x is y
    if pd.isna(x) and pd.isna(y):
        return True
    if isinstance(x, float | np.floating) and isinstance(y, float | np.floating):
        return bool(np.isclose(x, y, rtol=1e-12, atol=0.0))
    return bool(x == y)


def _difference(
    cut: pd.Timestamp, kind: str, ts: Any, key: Any, field: str, full: Any, truncated: Any
) -> dict[str, Any]:
    stamp = _ts(int(ts)) if isinstance(ts, int | np.integer) else pd.Timestamp(ts).tz_convert("UTC")
    values = (cut, kind, stamp, str(key), field, full, truncated)
    return dict(zip(DIFFERENCE_COLUMNS, values, strict=True))


def _cut_points(timestamps: np.ndarray, cuts: int | Sequence[pd.Timestamp | str]) -> list[int]:
    if isinstance(cuts, int):
        if cuts < 1:
            raise ValueError(f"cuts must be >= 1, got {cuts}")
        n = len(timestamps)
        picks = sorted({int((n - 1) * (i + 1) / (cuts + 1)) for i in range(cuts)})
        return [int(timestamps[i]) for i in picks]
    points = []
    for cut in cuts:
        stamp = pd.Timestamp(cut)
        stamp = stamp.tz_localize("UTC") if stamp.tz is None else stamp.tz_convert("UTC")
        i = int(np.searchsorted(timestamps, stamp.as_unit("ns").value, side="right")) - 1
        if i < 0:
            raise ValueError(f"cut {cut} is before the first bar")
        points.append(int(timestamps[i]))
    return sorted(set(points))


def _ts(ns: int) -> pd.Timestamp:
    return pd.Timestamp(ns, unit="ns", tz="UTC")


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(DIFFERENCE_COLUMNS))
