"""Performance analytics: metrics, round-trip trades, the HTML report and overfitting statistics.

Pure functions on arrays and DataFrames; imports only ``quantrail.core`` and third-party
libraries. The only I/O is :func:`write_report` writing its file. Formulas: docs/metrics.md
and docs/evaluation.md (overfitting statistics, trade Monte Carlo).
"""

from quantrail.analytics.metrics import (
    METRIC_KEYS,
    compute_metrics,
    drawdown_series,
    monthly_returns,
)
from quantrail.analytics.montecarlo import (
    TradeMonteCarlo,
    top_trades_profit_share,
    trade_monte_carlo,
)
from quantrail.analytics.overfitting import (
    PBOResult,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    per_period_sharpe,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
)
from quantrail.analytics.periods import periods_per_year
from quantrail.analytics.report import write_report
from quantrail.analytics.trades import FILL_COLUMNS, TRADE_COLUMNS, round_trips

__all__ = [
    "FILL_COLUMNS",
    "METRIC_KEYS",
    "TRADE_COLUMNS",
    "PBOResult",
    "TradeMonteCarlo",
    "compute_metrics",
    "deflated_sharpe_ratio",
    "drawdown_series",
    "expected_max_sharpe",
    "monthly_returns",
    "per_period_sharpe",
    "periods_per_year",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "round_trips",
    "top_trades_profit_share",
    "trade_monte_carlo",
    "write_report",
]
