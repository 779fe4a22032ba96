"""Turning configured data into the engine's input: load, validate, merge, precompute sigma."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from quantrail.core.instruments import Instrument
from quantrail.data import (
    BarFrame,
    DataConfig,
    MergedStream,
    QualityReport,
    load_bars,
    validate_bars,
)

__all__ = ["instruments_for", "load_validated", "trailing_sigma"]


def load_validated(
    configs: list[DataConfig], base_dir: Path | None
) -> tuple[list[BarFrame], list[QualityReport]]:
    """Load every configured file and stop at the first fatal data problem (file, row, rule).

    Returns the frames and their quality reports, whose warnings the caller must show.
    """
    frames = []
    reports = []
    for cfg in configs:
        frame = load_bars(cfg, base_dir=base_dir)
        report = validate_bars(frame)
        report.raise_if_fatal()
        frames.append(frame)
        reports.append(report)
    return frames, reports


def instruments_for(configs: list[DataConfig]) -> dict[str, Instrument]:
    return {c.symbol: Instrument(c.symbol, c.tick_size, c.lot_size, c.asset_class) for c in configs}


def trailing_sigma(
    frames: list[BarFrame], stream: MergedStream, window: int
) -> npt.NDArray[np.float64]:
    """Per event: std (ddof 1) of the symbol's close-to-close returns over the ``window`` bars
    before this one. Shifted by one bar, so a fill on bar t never uses bar t's own move."""
    per_frame = []
    for frame in frames:
        returns = pd.Series(frame.close).pct_change()
        sigma = returns.rolling(window, min_periods=2).std(ddof=1).shift(1)
        per_frame.append(sigma.fillna(0.0).to_numpy(dtype=np.float64))
    offsets = np.cumsum([0] + [len(f.close) for f in frames[:-1]])
    flat = np.concatenate(per_frame) if per_frame else np.zeros(0)
    return np.ascontiguousarray(flat[offsets[stream.symbol_index] + stream.row_index])
