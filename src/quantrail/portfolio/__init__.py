"""Cash, positions, P&L and sizing, built only from fill events."""

from quantrail.portfolio.portfolio import Portfolio, Position
from quantrail.portfolio.sizing import (
    fixed_quantity,
    percent_of_equity,
    risk_per_trade,
    volatility_target,
)

__all__ = [
    "Portfolio",
    "Position",
    "fixed_quantity",
    "percent_of_equity",
    "risk_per_trade",
    "volatility_target",
]
