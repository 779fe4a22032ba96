"""Orders as the order manager tracks them, and the intent a strategy submits."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from quantrail.core.enums import OrderStatus, OrderType, Side, TimeInForce

__all__ = ["Order", "OrderIntent"]


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """What a strategy asks for, before risk and the order manager have seen it.

    ``state`` is the signal state that caused the order (indicator values, the rule that fired);
    it goes to the audit trail verbatim. ``reason`` names the rule in a few words.
    """

    symbol: str
    side: Side
    quantity: float
    order_type: OrderType = OrderType.MARKET
    limit_price: float | None = None
    stop_price: float | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    reason: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    oco_group: str | None = None


class Order:
    """A live order. Mutated only by the order manager through the state table."""

    __slots__ = (
        "avg_fill_price",
        "client_order_id",
        "commission",
        "filled_quantity",
        "intent",
        "limit_price",
        "oco_group",
        "order_type",
        "quantity",
        "reason",
        "seq",
        "session",
        "side",
        "status",
        "stop_price",
        "strategy_id",
        "symbol",
        "time_in_force",
        "triggered",
        "ts_created",
        "ts_eligible",
        "ts_last",
    )

    def __init__(
        self,
        client_order_id: str,
        seq: int,
        intent: OrderIntent,
        strategy_id: str,
        ts_created: int,
    ) -> None:
        self.client_order_id = client_order_id
        self.seq = seq
        self.intent = intent
        self.strategy_id = strategy_id
        self.symbol = intent.symbol
        self.side = intent.side
        self.quantity = intent.quantity
        self.order_type = intent.order_type
        self.limit_price = intent.limit_price
        self.stop_price = intent.stop_price
        self.time_in_force = intent.time_in_force
        self.oco_group = intent.oco_group
        self.reason = intent.reason
        self.status = OrderStatus.NEW
        self.filled_quantity = 0.0
        self.avg_fill_price = math.nan
        self.commission = 0.0
        self.triggered = False
        self.ts_created = ts_created
        self.ts_last = ts_created
        self.ts_eligible = ts_created
        self.session: int | None = None

    @property
    def remaining(self) -> float:
        return self.quantity - self.filled_quantity

    @property
    def signed_remaining(self) -> float:
        return (self.quantity - self.filled_quantity) * int(self.side)

    def __repr__(self) -> str:
        return (
            f"Order({self.client_order_id} {self.side.label} {self.quantity} {self.symbol} "
            f"{self.order_type} {self.status} filled={self.filled_quantity})"
        )
