"""Robustness: the same rules on other symbols and on sub-periods of the data.

Every symbol is run alone, over its whole history and over each window (calendar years, or
``n`` equal windows by bar count), each window through the event engine on its own bars with a
fresh account. The effect "survives" in a cell when its Sharpe ratio is positive; a cell with
an undefined Sharpe ratio (no return dispersion: usually no trade) does not count as
surviving.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from quantrail.data import DataConfig
from quantrail.engine.config import RunConfig
from quantrail.research.evaluation.runner import WindowedData
from quantrail.research.evaluation.verdict import Verdict, headline
from quantrail.research.evaluation.windows import Window, equal_windows, yearly_windows

__all__ = ["RobustnessResult", "judge_robustness", "robustness", "symbol_data"]

Windows = Literal["yearly"] | int


@dataclass(frozen=True)
class RobustnessResult:
    """``table``: one row per (symbol, window), window ``"full"`` for the whole history."""

    table: pd.DataFrame
    metric: str
    min_positive_share: float
    verdict: Verdict

    def pivot(self) -> pd.DataFrame:
        """The metric as a symbol x window matrix (the heatmap)."""
        cells = self.table[self.table["window"] != "full"]
        return cells.pivot(index="symbol", columns="window", values=self.metric)


def symbol_data(template: DataConfig, symbol: str, path: Path) -> DataConfig:
    """``template`` (timestamps, zone, frequency, costs of the instrument) for another file."""
    return template.model_copy(update={"symbol": symbol, "path": path, "store": None})


def robustness(
    config: RunConfig,
    *,
    symbols: Sequence[DataConfig] | None = None,
    windows: Windows = "yearly",
    metric: str = "sharpe",
    min_positive_share: float = 0.6,
    warmup_bars: int = 0,
    base_dir: Path | None = None,
) -> RobustnessResult:
    """Run the config's rules per symbol and per window and judge whether the effect survives.

    Parameters
    ----------
    config
        The run. Its strategy, execution and risk settings are reused unchanged.
    symbols
        One data config per symbol to test, each run alone; default: each entry of
        ``config.data`` alone.
    windows
        ``"yearly"`` (calendar years of the bars' open times, UTC) or a number of equal
        windows.
    metric
        The metric whose sign decides survival (higher is better).
    min_positive_share
        Both the share of (symbol, window) cells and the share of symbols (whole history)
        with a positive ``metric`` must reach this.
    warmup_bars
        Bars run before each window but not measured.
    base_dir
        Directory relative data paths are resolved against.
    """
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="quantrail-rob-") as workdir:
        for i, data in enumerate(symbols if symbols is not None else config.data):
            single = config.model_copy(update={"data": [data]})
            sub = Path(workdir) / f"{i:02d}"
            sub.mkdir()
            windowed = WindowedData(single, sub, base_dir)
            full = windowed.run(single)
            rows.append(_row(data.symbol, "full", None, full.metrics))
            for window in _windows(windowed, windows):
                run = windowed.run(single, window.start, window.end, warmup_bars=warmup_bars)
                rows.append(_row(data.symbol, window.label, window, run.metrics))
    table = pd.DataFrame(rows)
    return RobustnessResult(
        table=table,
        metric=metric,
        min_positive_share=min_positive_share,
        verdict=judge_robustness(table, metric, min_positive_share),
    )


def judge_robustness(table: pd.DataFrame, metric: str, min_positive_share: float) -> Verdict:
    """PASS when the positive share of window cells and of whole-history symbols both reach
    ``min_positive_share`` (undefined values count as not positive)."""
    failures = []
    full = table["window"] == "full"
    for label, part in (("windows", table[~full]), ("symbols", table[full])):
        values = pd.to_numeric(part[metric], errors="coerce").to_numpy(dtype=np.float64)
        if len(values) == 0:
            failures.append(f"no {label} to judge")
            continue
        share = float(np.mean(np.nan_to_num(values, nan=-np.inf) > 0.0))
        if share < min_positive_share:
            failures.append(
                f"{metric} > 0 in {share:.0%} of {label}, below {min_positive_share:.0%}"
            )
    return Verdict.of(failures)


def _windows(data: WindowedData, windows: Windows) -> list[Window]:
    if windows == "yearly":
        return yearly_windows(data.timestamps, data.frequency_ns)
    return equal_windows(data.timestamps, int(windows))


def _row(symbol: str, label: str, window: Window | None, metrics: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"symbol": symbol, "window": label}
    row["start"] = None if window is None else pd.Timestamp(window.start, unit="ns", tz="UTC")
    row["bars"] = metrics.get("num_periods")
    row.update(headline(metrics))
    return row
