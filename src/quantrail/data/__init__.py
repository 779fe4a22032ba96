"""Bar data: loading files into frames, checking their quality, merging symbols into a stream.

Typical use::

    frame = load_bars(cfg, base_dir=config_dir)
    validate_bars(frame).raise_if_fatal()
    stream = merge_frames([frame, other_frame])
"""

from quantrail.data.config import DataConfig, FileFormat
from quantrail.data.frame import BarFrame
from quantrail.data.loader import BAR_COLUMNS, QUOTE_COLUMNS, load_bars
from quantrail.data.merge import MergedStream, merge_frames
from quantrail.data.report import Example, Issue, QualityReport, Severity
from quantrail.data.validate import RULES, validate_bars

__all__ = [
    "BAR_COLUMNS",
    "QUOTE_COLUMNS",
    "RULES",
    "BarFrame",
    "DataConfig",
    "Example",
    "FileFormat",
    "Issue",
    "MergedStream",
    "QualityReport",
    "Severity",
    "load_bars",
    "merge_frames",
    "validate_bars",
]
