"""Risk controls above the strategy."""

from quantrail.risk.engine import RiskConfig, RiskEngine

__all__ = ["RiskConfig", "RiskEngine"]
