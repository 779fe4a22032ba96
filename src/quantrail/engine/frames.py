"""Turning configured data into the engine's input: load, validate, merge, precompute sigma."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from quantrail.core.events import CorporateAction
from quantrail.core.instruments import Instrument
from quantrail.data import (
    BarFrame,
    DataConfig,
    MergedStream,
    apply_steps,
    get_calendar,
    load_actions,
    load_bars,
    steps_for_config,
    validate_bars,
)

__all__ = [
    "corporate_actions_for",
    "instruments_for",
    "load_validated",
    "tags_for",
    "trailing_sigma",
]


def load_validated(
    configs: list[DataConfig], base_dir: Path | None
) -> tuple[list[BarFrame], list[dict[str, Any]]]:
    """Load every configured file, stop at the first fatal data problem (file, row, rule), then
    apply the configured cleaning steps (e.g. ``extended_hours: drop``), each logged.

    Returns the frames and, per file, its quality report with the cleaning log under
    ``"cleaning"``; the caller shows the warnings.
    """
    frames = []
    reports = []
    for cfg in configs:
        frame = load_bars(cfg, base_dir=base_dir)
        report = validate_bars(frame)
        report.raise_if_fatal()
        record = report.to_dict()
        steps = steps_for_config(cfg)
        if steps:
            frame, logs = apply_steps(frame, steps, get_calendar(cfg.calendar_name))
            record["cleaning"] = [log.to_dict() for log in logs]
        frames.append(frame)
        reports.append(record)
    return frames, reports


def corporate_actions_for(
    configs: list[DataConfig], base_dir: Path | None
) -> list[CorporateAction]:
    """The splits and dividends of every data entry that names an ``actions_path``."""
    actions: list[CorporateAction] = []
    for cfg in configs:
        if cfg.actions_path is None:
            continue
        path = cfg.actions_path
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        actions.extend(load_actions(path, cfg.symbol, timezone=cfg.timezone).events)
    return actions


def instruments_for(configs: list[DataConfig]) -> dict[str, Instrument]:
    return {c.symbol: Instrument(c.symbol, c.tick_size, c.lot_size, c.asset_class) for c in configs}


def trailing_sigma(
    frames: list[BarFrame],
    stream: MergedStream,
    window: int,
    actions: Sequence[CorporateAction] = (),
) -> npt.NDArray[np.float64]:
    """Per event: std (ddof 1) of the symbol's close-to-close returns over the ``window`` bars
    before this one. Shifted by one bar, so a fill on bar t never uses bar t's own move.

    A split's price step is not a return: on the first bar at or after a split's ex-date (and
    its availability) the ratio is taken out of that bar's return, point in time.
    """
    per_frame = []
    for frame in frames:
        close = np.asarray(frame.close, dtype=np.float64)
        ratio = np.ones(len(close))
        for action in actions:
            if action.symbol == frame.symbol and action.kind == "split":
                due = max(action.ex_ns, action.available_at_ns)
                first = int(np.searchsorted(frame.ts_open, due, side="left"))
                if 0 < first < len(close):
                    ratio[first] *= action.value
        returns = pd.Series(close * ratio).div(pd.Series(close).shift(1)) - 1.0
        sigma = returns.rolling(window, min_periods=2).std(ddof=1).shift(1)
        per_frame.append(sigma.fillna(0.0).to_numpy(dtype=np.float64))
    offsets = np.cumsum([0] + [len(f.close) for f in frames[:-1]])
    flat = np.concatenate(per_frame) if per_frame else np.zeros(0)
    return np.ascontiguousarray(flat[offsets[stream.symbol_index] + stream.row_index])


def tags_for(configs: list[DataConfig]) -> dict[str, dict[str, str]]:
    """Risk grouping labels per symbol: the configured tags plus the asset class."""
    return {c.symbol: {"asset_class": c.asset_class, **c.tags} for c in configs}
