"""The order manager: client order ids, the state machine, idempotent updates.

1. ``create`` gives an intent a deterministic client order id (strategy id + sequence), so a
   replayed run produces the same ids and a timed-out submit can be resolved by asking the
   venue for that id instead of sending a second order.
2. ``transition`` moves an order through ``core.order_state.TRANSITIONS``; a late or duplicate
   update for a terminal order is ignored and reported as not applied, never moves it backwards.
3. ``apply_fill`` books a fill once per fill id and updates filled quantity and average price;
   it refuses a fill that would exceed the order quantity.
"""

from __future__ import annotations

from quantrail.core.enums import OrderStatus
from quantrail.core.errors import InvariantViolation
from quantrail.core.events import Fill, OrderUpdate
from quantrail.core.order_state import OrderEventKind, next_status
from quantrail.core.orders import Order, OrderIntent

__all__ = ["OrderManager"]

_QTY_EPS = 1e-9


class OrderManager:
    """Tracks every order of a run and the working ones per symbol."""

    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}
        self._seq = 0
        self._seen_fills: set[str] = set()
        self.working: dict[str, Order] = {}

    def create(self, intent: OrderIntent, strategy_id: str, ts: int) -> Order:
        self._seq += 1
        order = Order(f"{strategy_id}-{self._seq}", self._seq, intent, strategy_id, ts)
        self._orders[order.client_order_id] = order
        return order

    def get(self, client_order_id: str) -> Order | None:
        return self._orders.get(client_order_id)

    def orders(self) -> list[Order]:
        return list(self._orders.values())

    def working_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is None:
            return list(self.working.values())
        return [o for o in self.working.values() if o.symbol == symbol]

    def transition(
        self, order: Order, kind: OrderEventKind, ts: int, reason: str = ""
    ) -> OrderUpdate | None:
        """Apply a status event; return the update, or None if it did not apply."""
        new = next_status(order.status, kind)
        if new is None:
            if order.status.is_terminal:
                return None  # late update for a finished order: already accounted for
            raise InvariantViolation(
                f"order {order.client_order_id}: event {kind} is not allowed in state "
                f"{order.status}"
            )
        order.status = new
        order.ts_last = ts
        if new.is_working:
            self.working[order.client_order_id] = order
        else:
            self.working.pop(order.client_order_id, None)
        return OrderUpdate(order.client_order_id, kind, new, ts, reason)

    def apply_fill(self, order: Order, fill: Fill) -> bool:
        """Book ``fill`` on ``order`` once; return False for a duplicate fill id."""
        if fill.fill_id in self._seen_fills:
            return False
        remaining = order.quantity - order.filled_quantity
        if fill.quantity > remaining + _QTY_EPS:
            raise InvariantViolation(
                f"order {order.client_order_id}: fill {fill.fill_id} of {fill.quantity} exceeds "
                f"the remaining {remaining}"
            )
        self._seen_fills.add(fill.fill_id)
        filled = order.filled_quantity + fill.quantity
        previous_cost = (
            0.0 if order.filled_quantity == 0 else order.avg_fill_price * (order.filled_quantity)
        )
        order.avg_fill_price = (previous_cost + fill.price * fill.quantity) / filled
        order.filled_quantity = filled
        order.commission += fill.commission
        complete = order.quantity - filled <= _QTY_EPS
        kind = OrderEventKind.FILL if complete else OrderEventKind.PARTIAL_FILL
        if order.status is not OrderStatus.FILLED:
            self.transition(order, kind, fill.ts)
        return True
