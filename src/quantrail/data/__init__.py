"""Bar data: loading files into frames, checking their quality, merging symbols into a stream.

Typical use::

    frame = load_bars(cfg, base_dir=config_dir)
    validate_bars(frame).raise_if_fatal()
    stream = merge_frames([frame, other_frame])
"""

from quantrail.data.available import as_of, bar_available_at, end_of_day_available_at
from quantrail.data.calendars import (
    MissingBars,
    TradingCalendar,
    get_calendar,
    missing_intraday_bars,
    missing_sessions,
    regular_hours_mask,
    session_close_ns,
    session_open_ns,
)
from quantrail.data.cleaning import (
    CleaningLog,
    CleaningStep,
    DropDuplicateTimestamps,
    DropExtendedHours,
    DropZeroVolume,
    apply_steps,
    steps_for_config,
)
from quantrail.data.config import DataConfig, FileFormat
from quantrail.data.corporate_actions import (
    CorporateActions,
    adjusted,
    adjustment_factors,
    load_actions,
)
from quantrail.data.frame import BarFrame
from quantrail.data.loader import BAR_COLUMNS, QUOTE_COLUMNS, load_bars
from quantrail.data.merge import MergedStream, merge_frames
from quantrail.data.quality import quality_report, write_quality_report
from quantrail.data.report import Example, Issue, QualityReport, Severity
from quantrail.data.resample import bars_from_trades, resample_bars
from quantrail.data.validate import RULES, validate_bars

__all__ = [
    "BAR_COLUMNS",
    "QUOTE_COLUMNS",
    "RULES",
    "BarFrame",
    "CleaningLog",
    "CleaningStep",
    "CorporateActions",
    "DataConfig",
    "DropDuplicateTimestamps",
    "DropExtendedHours",
    "DropZeroVolume",
    "Example",
    "FileFormat",
    "Issue",
    "MergedStream",
    "MissingBars",
    "QualityReport",
    "Severity",
    "TradingCalendar",
    "adjusted",
    "adjustment_factors",
    "apply_steps",
    "as_of",
    "bar_available_at",
    "bars_from_trades",
    "end_of_day_available_at",
    "get_calendar",
    "load_actions",
    "load_bars",
    "merge_frames",
    "missing_intraday_bars",
    "missing_sessions",
    "quality_report",
    "regular_hours_mask",
    "resample_bars",
    "session_close_ns",
    "session_open_ns",
    "steps_for_config",
    "validate_bars",
    "write_quality_report",
]
