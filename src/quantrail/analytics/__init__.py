"""Performance analytics: metrics, round-trip trades and the HTML report.

Pure functions on arrays and DataFrames; imports only ``quantrail.core`` and third-party
libraries. The only I/O is :func:`write_report` writing its file. Formulas: docs/metrics.md.
"""

from quantrail.analytics.metrics import (
    METRIC_KEYS,
    compute_metrics,
    drawdown_series,
    monthly_returns,
)
from quantrail.analytics.periods import periods_per_year
from quantrail.analytics.report import write_report
from quantrail.analytics.trades import FILL_COLUMNS, TRADE_COLUMNS, round_trips

__all__ = [
    "FILL_COLUMNS",
    "METRIC_KEYS",
    "TRADE_COLUMNS",
    "compute_metrics",
    "drawdown_series",
    "monthly_returns",
    "periods_per_year",
    "round_trips",
    "write_report",
]
