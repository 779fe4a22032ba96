"""The fill simulator, and later the venue adapters and the venue emulator."""

from quantrail.execution.config import CommissionConfig, ExecutionConfig, SlippageConfig
from quantrail.execution.simulator import FillSimulator

__all__ = ["CommissionConfig", "ExecutionConfig", "FillSimulator", "SlippageConfig"]
