"""Risk controls at three levels (position, strategy, portfolio), the mode latch and the kill
switch. See docs/risk.md.

Position sizing helpers (``risk_per_trade`` and friends) live in ``quantrail.portfolio.sizing``,
the one place for them: risk and portfolio are siblings and do not import each other.
"""

from quantrail.risk.config import RiskConfig
from quantrail.risk.engine import RiskEngine
from quantrail.risk.events import Denial, RiskAction, RiskEvent
from quantrail.risk.kill_switch import KillSwitch, KillSwitchConfig
from quantrail.risk.modes import FLATTEN_KEY, RiskMode
from quantrail.risk.rules.protective_exit import REQUIRES_STOP_KEY
from quantrail.risk.state import Change, Latch, RiskStateStore, SymbolLock
from quantrail.risk.view import RiskView

__all__ = [
    "FLATTEN_KEY",
    "REQUIRES_STOP_KEY",
    "Change",
    "Denial",
    "KillSwitch",
    "KillSwitchConfig",
    "Latch",
    "RiskAction",
    "RiskConfig",
    "RiskEngine",
    "RiskEvent",
    "RiskMode",
    "RiskStateStore",
    "RiskView",
    "SymbolLock",
]
