"""The durable state store of the live engine (docs/state-store.md).

``StateStore.open(url)`` connects to SQLite (default) or PostgreSQL and migrates the schema to
the newest revision; the engine writes before it acts and recovers with ``load_state()``.
"""

from quantrail.store.state.connect import create_state_engine
from quantrail.store.state.records import (
    AccountSnapshot,
    LatencyStage,
    MarkerRegression,
    RecoveredState,
    RiskState,
    StoredEvent,
    StoredFill,
    StoredOrder,
    StoredPosition,
    StrategyState,
)
from quantrail.store.state.risk_adapter import DurableRiskState
from quantrail.store.state.status import percentile, status_report
from quantrail.store.state.store import StateStore

__all__ = [
    "AccountSnapshot",
    "DurableRiskState",
    "LatencyStage",
    "MarkerRegression",
    "RecoveredState",
    "RiskState",
    "StateStore",
    "StoredEvent",
    "StoredFill",
    "StoredOrder",
    "StoredPosition",
    "StrategyState",
    "create_state_engine",
    "percentile",
    "status_report",
]
