"""Explicit, configured and logged fixes to a frame.

Loading and validation never repair data. When a fix is wanted, it is named here as a step,
and every step returns a new frame plus a :class:`CleaningLog` saying how many rows it removed
and which (the first few, with their file lines). Nothing runs unless it is named:
``apply_steps(frame, [], calendar)`` returns the frame unchanged.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

import numpy as np

from quantrail.core.time import NANOS_PER_DAY
from quantrail.data.calendars import TradingCalendar, regular_hours_mask
from quantrail.data.config import DataConfig
from quantrail.data.frame import BarFrame, IntArray, iso_utc
from quantrail.data.report import Example

__all__ = [
    "STEPS",
    "CleaningLog",
    "CleaningStep",
    "DropDuplicateTimestamps",
    "DropExtendedHours",
    "DropZeroVolume",
    "apply_steps",
    "steps_for_config",
    "take_rows",
]

_log = logging.getLogger(__name__)
_COLUMNS = ("ts", "ts_open", "open", "high", "low", "close", "volume", "bid", "ask", "session")


@dataclass(frozen=True)
class CleaningLog:
    """What one step did.

    Attributes
    ----------
    step : str
        The step and its parameters, e.g. ``"drop_duplicate_timestamps(keep='first')"``.
    rows_before, rows_removed : int
        Frame length before the step, and how many rows it removed.
    examples : tuple of Example
        The first few removed rows (file line, bar start, values, why).
    """

    step: str
    rows_before: int
    rows_removed: int
    examples: tuple[Example, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-serializable form."""
        return {
            "step": self.step,
            "rows_before": self.rows_before,
            "rows_removed": self.rows_removed,
            "examples": [e.to_dict() for e in self.examples],
        }


class CleaningStep(Protocol):
    """A named fix: ``step(frame, calendar) -> (new_frame, log)``; never edits ``frame``."""

    @property
    def name(self) -> str: ...

    def __call__(
        self, frame: BarFrame, calendar: TradingCalendar
    ) -> tuple[BarFrame, CleaningLog]: ...


def take_rows(frame: BarFrame, index: IntArray, source: str | None = None) -> BarFrame:
    """A new frame holding rows ``index`` (0-based, in that order) of ``frame``."""
    columns = {name: getattr(frame, name)[index] for name in (*_COLUMNS, "row_numbers")}
    return dataclasses.replace(frame, source=source or frame.source, **columns)


def _drop(
    frame: BarFrame, remove: np.ndarray, step: str, why: str, max_examples: int = 5
) -> tuple[BarFrame, CleaningLog]:
    removed = np.flatnonzero(remove)
    examples = tuple(
        Example(
            row=int(frame.row_numbers[i]),
            bar_start=iso_utc(int(frame.ts_open[i])),
            values={k: float(getattr(frame, k)[i]) for k in ("open", "high", "low", "close")}
            | {"volume": float(frame.volume[i])},
            detail=why,
        )
        for i in removed[:max_examples]
    )
    log = CleaningLog(step, len(frame), len(removed), examples)
    if len(removed):
        _log.info(
            "%s: %s removed %d of %d rows (first: line %d)",
            frame.source,
            step,
            len(removed),
            len(frame),
            examples[0].row,
        )
        frame = take_rows(frame, np.flatnonzero(~remove))
    else:
        _log.info("%s: %s removed nothing", frame.source, step)
    return frame, log


@dataclass(frozen=True)
class DropExtendedHours:
    """Drop intraday bars that start outside the calendar's regular session.

    Daily bars have no hours; on them the step removes nothing (a bar on a non-session day is
    reported by the quality report, not dropped here).
    """

    name: ClassVar[str] = "drop_extended_hours"

    def __call__(self, frame: BarFrame, calendar: TradingCalendar) -> tuple[BarFrame, CleaningLog]:
        step = f"{self.name}({calendar.name})"
        if not 0 < frame.frequency_ns < NANOS_PER_DAY:
            return _drop(frame, np.zeros(len(frame), dtype=bool), step, "")
        outside = ~regular_hours_mask(frame, calendar)
        return _drop(frame, outside, step, f"outside {calendar.name} regular hours")


@dataclass(frozen=True)
class DropDuplicateTimestamps:
    """Keep one bar per ``ts``: the first or the last in file order; drop the other copies."""

    keep: Literal["first", "last"] = "first"
    name: ClassVar[str] = "drop_duplicate_timestamps"

    def __post_init__(self) -> None:
        if self.keep not in ("first", "last"):
            raise ValueError(f"keep must be 'first' or 'last', got {self.keep!r}")

    def __call__(self, frame: BarFrame, calendar: TradingCalendar) -> tuple[BarFrame, CleaningLog]:
        ts = frame.ts if self.keep == "first" else frame.ts[::-1]
        _, kept = np.unique(ts, return_index=True)  # index of each value's first occurrence
        if self.keep == "last":
            kept = len(ts) - 1 - kept
        remove = np.ones(len(frame), dtype=bool)
        remove[kept] = False
        step = f"{self.name}(keep={self.keep!r})"
        return _drop(frame, remove, step, f"repeats the timestamp of a kept row ({self.keep})")


@dataclass(frozen=True)
class DropZeroVolume:
    """Drop bars whose volume is exactly 0 (NaN volume is kept: that is a different problem)."""

    name: ClassVar[str] = "drop_zero_volume"

    def __call__(self, frame: BarFrame, calendar: TradingCalendar) -> tuple[BarFrame, CleaningLog]:
        return _drop(frame, frame.volume == 0, self.name, "volume is 0")


STEPS: dict[str, type[DropExtendedHours | DropDuplicateTimestamps | DropZeroVolume]] = {
    "drop_extended_hours": DropExtendedHours,
    "drop_duplicate_timestamps": DropDuplicateTimestamps,
    "drop_zero_volume": DropZeroVolume,
}
"""Step name -> class; ``STEPS[name](**params)`` builds a step from configuration."""


def apply_steps(
    frame: BarFrame, steps: Sequence[CleaningStep | str], calendar: TradingCalendar
) -> tuple[BarFrame, list[CleaningLog]]:
    """Run ``steps`` in order; return the cleaned frame and one log per step.

    Parameters
    ----------
    frame : BarFrame
        The frame as loaded; it is not changed.
    steps : sequence of CleaningStep or str
        Step objects, or names from :data:`STEPS` (default parameters). Empty: no change.
    calendar : TradingCalendar
        Used by calendar-aware steps.

    Raises
    ------
    ValueError
        A step name is unknown.
    """
    logs: list[CleaningLog] = []
    for step in steps:
        if isinstance(step, str):
            if step not in STEPS:
                raise ValueError(f"unknown cleaning step {step!r}; use one of {', '.join(STEPS)}")
            step = STEPS[step]()
        frame, log = step(frame, calendar)
        logs.append(log)
    return frame, logs


def steps_for_config(cfg: DataConfig) -> list[CleaningStep]:
    """The steps a data config asks for: ``extended_hours: drop`` -> drop_extended_hours."""
    return [DropExtendedHours()] if cfg.extended_hours == "drop" else []
