"""Running a config on a time window of its data, through the event engine.

Each window's bars are written to temporary CSV files and the engine runs on those files
alone, so a run cannot see a bar outside its window by any route: not through the engine and
not through a strategy that reads its input some other way. The cost is a small file per
window (cached: every configuration evaluated on a window reuses its files).

Corporate actions stay configured: one dated before a window's first bar is applied at that
bar, to an account that holds nothing yet, so it changes no position or cash.

A window may be preceded by ``warmup_bars`` bars: the strategy runs over them (indicators warm
up, positions may open), but the window's equity, returns and metrics start at the last warmup
bar, so only the window's own P&L is measured.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantrail.analytics import compute_metrics
from quantrail.data import BarFrame, DataConfig
from quantrail.engine.config import RunConfig
from quantrail.engine.frames import load_validated
from quantrail.engine.results import BacktestResult
from quantrail.engine.run import run_backtest

__all__ = ["WindowRun", "WindowedData", "chained_equity", "metric_of", "segment_metrics"]


@dataclass(frozen=True)
class WindowRun:
    """One engine run on a window.

    Attributes
    ----------
    result : BacktestResult
        The engine's full result (warmup included).
    equity : pandas.Series
        Equity over the window. Its first value is the base the returns start from: the first
        window bar without warmup, the last warmup bar with it.
    metrics : dict
        ``compute_metrics`` of ``equity`` (plus ``periods_per_year`` and ``ruined``).
    """

    result: BacktestResult
    equity: pd.Series
    metrics: dict[str, Any]


class WindowedData:
    """The bars of a run config, ready to be cut into windows and run.

    Parameters
    ----------
    config
        The run whose ``data`` is cut. Later runs may change anything but ``data``.
    workdir
        Directory for the window files (e.g. a ``tempfile.TemporaryDirectory``).
    base_dir
        Directory relative data paths are resolved against.
    """

    def __init__(self, config: RunConfig, workdir: Path, base_dir: Path | None = None) -> None:
        self._data = list(config.data)
        # The engine's own loading: validated (fatal problems stop here) and cleaned, so the
        # window arithmetic counts the bars a run will really see.
        self._frames, _ = load_validated(self._data, base_dir)
        self._workdir = Path(workdir)
        self._cache: dict[tuple[int, int], list[DataConfig]] = {}
        self.timestamps = np.unique(np.concatenate([f.ts for f in self._frames]))
        """Distinct bar (close) times of all symbols, UTC ns, increasing."""
        self.frequency_ns = min(f.frequency_ns for f in self._frames)

    def data(self, start: int | None = None, end: int | None = None) -> list[DataConfig]:
        """Data configs for the bars with ``start <= ts < end``; symbols without bars drop out."""
        lo = int(self.timestamps[0]) if start is None else start
        hi = int(self.timestamps[-1]) + 1 if end is None else end
        found = self._cache.get((lo, hi))
        if found is None:
            found = self._cache[(lo, hi)] = self._write(lo, hi)
        return found

    def windowed(
        self, config: RunConfig, start: int | None = None, end: int | None = None
    ) -> RunConfig:
        """``config`` reading the bars with ``start <= ts < end`` only."""
        return config.model_copy(update={"data": self.data(start, end)})

    def run(
        self,
        config: RunConfig,
        start: int | None = None,
        end: int | None = None,
        *,
        warmup_bars: int = 0,
    ) -> WindowRun:
        """Run ``config`` (its strategy, execution and risk) on the window ``[start, end)``."""
        if warmup_bars < 0:
            raise ValueError(f"warmup_bars must be >= 0, got {warmup_bars}")
        first = 0 if start is None else int(np.searchsorted(self.timestamps, start))
        data_start = int(self.timestamps[max(first - warmup_bars, 0)])
        result = run_backtest(self.windowed(config, data_start, end))
        equity, metrics = segment_metrics(result, None if first == 0 else start)
        return WindowRun(result, equity, metrics)

    def _write(self, lo: int, hi: int) -> list[DataConfig]:
        out = []
        for i, (cfg, frame) in enumerate(zip(self._data, self._frames, strict=True)):
            keep = (frame.ts >= lo) & (frame.ts < hi)
            if not keep.any():
                continue
            path = self._workdir / f"{i:02d}_{cfg.symbol}_{lo}_{hi}.csv"
            _frame_table(frame, keep, cfg.timestamps == "bar_start").to_csv(path, index=False)
            update: dict[str, Any] = {
                "path": path,
                "store": None,
                "start": None,
                "end": None,
                "format": "csv",
                "quotes_path": None,  # joined bid/ask are written into the file itself
            }
            out.append(cfg.model_copy(update=update))
        if not out:
            raise ValueError("the window holds no bars")
        return out


def _frame_table(frame: BarFrame, keep: np.ndarray, bar_start: bool) -> pd.DataFrame:
    stamps = frame.ts_open[keep] if bar_start else frame.ts[keep]
    # isoformat keeps nanoseconds and writes the +00:00 offset, so the zone config is moot.
    text = [t.isoformat() for t in pd.to_datetime(stamps, unit="ns", utc=True)]
    table = pd.DataFrame({"timestamp": text})
    for name in ("open", "high", "low", "close", "volume", "bid", "ask"):
        values = getattr(frame, name)[keep]
        if name in ("bid", "ask") and not np.isfinite(values).any():
            continue
        table[name] = values  # to_csv writes floats by repr: they read back bit for bit
    return table


def segment_metrics(result: BacktestResult, start: int | None) -> tuple[pd.Series, dict[str, Any]]:
    """The equity and metrics of a run from ``start`` on (the whole run when ``None``).

    The segment starts at the last bar before ``start``, so the first bar's return counts.
    Trades count when they exit at or after ``start``, turnover is the fills at or after it, and
    exposure is not known per segment (``None``). A segment reaching zero equity is reported as
    ruined, as the engine does.
    """
    equity = result.equity
    if start is None or len(equity) == 0 or equity.index[0] >= _ts(start):
        return equity, dict(result.metrics)
    k = int(np.searchsorted(pd.DatetimeIndex(equity.index).as_unit("ns").asi8, start))
    segment = equity.iloc[max(k - 1, 0) :]
    trades = result.trades
    trades = trades[trades["exit_time"] >= _ts(start)] if len(trades) else trades
    fills = result.fills
    fills = fills[fills["ts"] >= _ts(start)]
    turnover = float((fills["quantity"].abs() * fills["price"]).sum()) if len(fills) else 0.0
    ppy = float(result.metrics["periods_per_year"])
    values = segment.to_numpy(dtype=np.float64)
    ruined = np.flatnonzero(values <= 0)
    history = segment if not len(ruined) else segment.iloc[: max(int(ruined[0]), 1)]
    metrics: dict[str, Any] = compute_metrics(
        history, periods_per_year=ppy, trades=trades, turnover_notional=turnover, exposure=None
    )
    metrics["periods_per_year"] = ppy
    metrics["ruined"] = bool(len(ruined))
    if len(ruined):
        metrics.update(total_return=float(values[-1] / values[0] - 1.0), cagr=-1.0)
        metrics.update(max_drawdown=-1.0, sharpe=None, sortino=None, calmar=None)
    return segment, metrics


def metric_of(metrics: dict[str, Any], name: str) -> float:
    """A metric as a float for ranking: missing, ``None`` or NaN become ``-inf``."""
    value = metrics.get(name)
    if value is None or isinstance(value, bool):
        return -math.inf
    number = float(value)
    return number if math.isfinite(number) else -math.inf


def chained_equity(segments: Sequence[pd.Series], start_equity: float) -> pd.Series:
    """Stitch equity segments by chaining their returns, starting at ``start_equity``.

    Each segment contributes its returns after its first value (the base), so segments that
    start from different account sizes join without jumps.
    """
    if not segments:
        raise ValueError("nothing to chain")
    returns = pd.concat([s.pct_change().iloc[1:] for s in segments])
    first = segments[0].index[:1]
    growth = np.cumprod(np.r_[1.0, 1.0 + returns.to_numpy(dtype=np.float64)])
    index = first.append(returns.index)
    return pd.Series(start_equity * growth, index=index, name="equity")


def _ts(ns: int) -> pd.Timestamp:
    return pd.Timestamp(ns, unit="ns", tz="UTC")
