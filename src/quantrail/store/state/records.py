"""What the state store hands back: stored orders, positions, snapshots and the recovered state."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from quantrail.core.enums import OrderStatus
from quantrail.core.errors import InvariantViolation
from quantrail.core.events import Fill
from quantrail.core.orders import Order, OrderIntent
from quantrail.risk.modes import RiskMode, strictest
from quantrail.risk.state import Change, Latch

__all__ = [
    "AccountSnapshot",
    "LatencyStage",
    "MarkerRegression",
    "RecoveredState",
    "RiskState",
    "StoredEvent",
    "StoredFill",
    "StoredOrder",
    "StoredPosition",
    "StrategyState",
]

StrategyState = dict[str, Any] | bytes
"""What ``Strategy.on_save`` produced: a JSON-able dict, or opaque bytes."""


class LatencyStage(StrEnum):
    """Where on the path from market data to fill a latency sample was taken."""

    DATA_RECEIVED = "data_received"
    FEATURES = "features"
    SIGNAL = "signal"
    RISK = "risk"
    SUBMIT = "submit"
    ACK = "ack"
    FILL = "fill"


class MarkerRegression(InvariantViolation):
    """A stream marker was asked to move backwards, which would replay processed events."""


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """An order as the store holds it: the intent, its ids and its last known progress.

    ``avg_fill_price`` is NaN while nothing has filled (stored as NULL).
    """

    client_order_id: str
    venue_order_id: str | None
    strategy_id: str
    seq: int
    intent: OrderIntent
    status: OrderStatus
    filled_quantity: float
    avg_fill_price: float
    commission: float
    ts_created: int
    ts_last: int

    def to_order(self) -> Order:
        """Rebuild the order manager's ``Order`` (status, fill progress and terms included)."""
        order = Order(
            self.client_order_id, self.seq, self.intent, self.strategy_id, self.ts_created
        )
        order.status = self.status
        order.filled_quantity = self.filled_quantity
        order.avg_fill_price = self.avg_fill_price
        order.commission = self.commission
        order.ts_last = self.ts_last
        return order


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One journaled transition of an order: what happened, the status after it, who said so.

    ``source`` names the reporter ("engine", "venue", "reconcile", ...); ``venue_event_id``
    is the venue's id for the update (None for the engine's own events).
    """

    id: int
    client_order_id: str
    kind: str
    status: OrderStatus
    ts: int
    source: str
    venue_event_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class StoredFill:
    """A booked fill with the venue's execution id and its place in the fill log."""

    seq: int
    venue_execution_id: str
    fill: Fill
    position_after: float


@dataclass(frozen=True, slots=True)
class StoredPosition:
    """Net position of one symbol, average-cost accounting as in ``quantrail.portfolio``."""

    symbol: str
    quantity: float
    average_price: float
    realized_pnl: float
    ts_last: int


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """The account as last reported (by the venue live, by the portfolio in paper)."""

    ts: int
    cash: float
    buying_power: float
    equity: float


@dataclass(frozen=True, slots=True)
class RiskState:
    """The risk latches, change log and monitor marks, as ``RiskStateStore`` keeps them."""

    latches: dict[str, Latch] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()
    marks: dict[str, float] = field(default_factory=dict)

    @property
    def mode(self) -> RiskMode:
        """The strictest latched mode (ACTIVE when nothing is latched)."""
        return strictest(*(latch.mode for latch in self.latches.values()))


@dataclass(frozen=True, slots=True)
class RecoveredState:
    """Everything a restarted engine needs, read in one consistent snapshot.

    ``open_orders`` includes orders still NEW: the intent was written but the store cannot
    know whether the submit reached the venue, so the engine must ask the venue by client
    order id before doing anything else. ``cash`` is the cash book (the last account snapshot
    moved by every fill since); None when neither has been written.

    ``last_seq`` is the highest order sequence per strategy id over every stored order,
    finished ones included, so a restarted ``OrderManager`` never reuses a client order id
    even when nothing is open. ``fill_ids_by_order`` maps each client order id with booked
    fills to their venue execution ids (in fill-log order), for ``OrderManager.restore``.
    """

    revision: str | None
    open_orders: tuple[StoredOrder, ...]
    positions: dict[str, StoredPosition]
    cash: float | None
    account: AccountSnapshot | None
    markers: dict[str, int]
    strategy_state: dict[str, StrategyState]
    risk: RiskState
    last_seq: dict[str, int] = field(default_factory=dict)
    fill_ids_by_order: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def unresolved_submits(self) -> tuple[StoredOrder, ...]:
        """Orders written before a submit that may or may not have reached the venue."""
        return tuple(o for o in self.open_orders if o.status is OrderStatus.NEW)
