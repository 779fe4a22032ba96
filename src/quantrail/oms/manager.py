"""The order manager: client order ids, the state machine, idempotent updates.

1. ``create`` gives an intent a deterministic client order id (strategy id + sequence), so a
   replayed run produces the same ids and a timed-out submit can be resolved by asking the
   venue for that id instead of sending a second order.
2. ``transition`` moves an order through ``core.order_state.TRANSITIONS``; a late or duplicate
   update for a terminal order is ignored and reported as not applied, never moves it backwards.
   An update the table does not allow for a live order is a bug in a backtest (``strict``:
   raise) but a fact of life with a real venue (not strict: recorded as an :class:`Anomaly`,
   alerted by the engine, and not applied).
3. ``apply_fill`` books a fill once per fill id (a venue's execution id) and updates filled
   quantity and average price; it refuses a fill that would exceed the order quantity. A fill
   for an order already canceled is still booked: the trade happened before the cancel did.
4. Submits and replaces whose answer was lost are tracked as ambiguous until
   ``oms.ambiguous`` resolves them by querying the venue for the client order id.
5. ``restore`` puts an order recovered from the state store back under its own id, with its
   progress and already-booked fill ids, and moves the sequence past it.
"""

from __future__ import annotations

from collections.abc import Iterable

from quantrail.core.enums import OrderStatus, OrderType
from quantrail.core.errors import InvariantViolation
from quantrail.core.events import Fill, OrderUpdate
from quantrail.core.order_state import OrderEventKind, next_status
from quantrail.core.orders import Order, OrderIntent
from quantrail.oms.anomaly import AmbiguousCall, Anomaly, Operation
from quantrail.oms.reports import VENUE_STATUS_EVENTS, VenueOrderReport

__all__ = ["OrderManager"]

_QTY_EPS = 1e-9

# What identifies an order for ``restore``: the same id with other values is a different order.
_TERMS = (
    "seq", "strategy_id", "symbol", "side", "quantity", "order_type", "limit_price",
    "stop_price", "time_in_force",
)  # fmt: skip


class OrderManager:
    """Tracks every order of a run and the working ones per symbol.

    Parameters
    ----------
    strict : bool
        True (backtests): an impossible transition raises ``InvariantViolation``, because the
        simulated venue is ours and such an update is a bug. False (paper and live): it is
        appended to ``anomalies`` and the order is left unchanged.
    start_seq : int
        The last sequence number already used. A live session restored from its journal passes
        the journal's last one, so a restart never reuses a client order id the venue has seen.
    """

    def __init__(self, *, strict: bool = True, start_seq: int = 0) -> None:
        self.strict = strict
        self._orders: dict[str, Order] = {}
        self._seq = start_seq
        self._seen_fills: set[str] = set()
        self._ambiguous: dict[str, AmbiguousCall] = {}
        self._venue_ids: dict[str, str] = {}
        self.working: dict[str, Order] = {}
        self.anomalies: list[Anomaly] = []

    # -- orders ------------------------------------------------------------------------------
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

    @property
    def last_seq(self) -> int:
        """The last sequence number handed out (what a journal stores for ``start_seq``)."""
        return self._seq

    # -- status ------------------------------------------------------------------------------
    def transition(
        self, order: Order, kind: OrderEventKind, ts: int, reason: str = "", source: str = ""
    ) -> OrderUpdate | None:
        """Apply a status event; return the update, or None if it did not apply.

        None covers both the ignored late update and, when not strict, the recorded anomaly.
        """
        result = self.apply_event(order, kind, ts, reason, source)
        return result if isinstance(result, OrderUpdate) else None

    def apply_event(
        self,
        order: Order,
        kind: OrderEventKind,
        ts: int,
        reason: str = "",
        source: str = "venue",
    ) -> OrderUpdate | Anomaly | None:
        """Apply a status event: the update, None for a late one, or the anomaly recorded."""
        new = next_status(order.status, kind)
        if new is None:
            if order.status.is_terminal:
                return None  # late update for a finished order: already accounted for
            detail = f"event {kind} is not allowed in state {order.status}"
            return self._anomaly(order, kind, ts, source, detail)
        order.status = new
        order.ts_last = ts
        if new.is_working:
            self.working[order.client_order_id] = order
        else:
            self.working.pop(order.client_order_id, None)
        return OrderUpdate(order.client_order_id, kind, new, ts, reason)

    def _anomaly(
        self, order: Order, kind: OrderEventKind, ts: int, source: str, detail: str
    ) -> Anomaly:
        if self.strict:
            raise InvariantViolation(f"order {order.client_order_id}: {detail}")
        anomaly = Anomaly(ts, order.client_order_id, order.status, kind, source, detail)
        self.anomalies.append(anomaly)
        return anomaly

    # -- fills -------------------------------------------------------------------------------
    def apply_fill(self, order: Order, fill: Fill, source: str = "venue") -> bool:
        """Book ``fill`` on ``order`` once; return False for a duplicate fill id.

        Also False, when not strict, for a fill larger than the order's remainder: it is
        recorded as an anomaly and left to reconciliation, which compares positions with the
        venue's and locks the symbol to reduce-only if they differ.
        """
        if fill.fill_id in self._seen_fills:
            return False
        remaining = order.quantity - order.filled_quantity
        complete = remaining - fill.quantity <= _QTY_EPS
        kind = OrderEventKind.FILL if complete else OrderEventKind.PARTIAL_FILL
        if fill.quantity > remaining + _QTY_EPS:
            detail = f"fill {fill.fill_id} of {fill.quantity} exceeds the remaining {remaining}"
            self._anomaly(order, kind, fill.ts, source, detail)
            return False
        self._seen_fills.add(fill.fill_id)
        filled = order.filled_quantity + fill.quantity
        previous_cost = (
            0.0 if order.filled_quantity == 0 else order.avg_fill_price * (order.filled_quantity)
        )
        order.avg_fill_price = (previous_cost + fill.price * fill.quantity) / filled
        order.filled_quantity = filled
        order.commission += fill.commission
        # A terminal order (a cancel confirmed before this fill's report arrived) keeps its
        # status: the fill is real and booked, but nothing moves a finished order.
        if not order.status.is_terminal:
            self.apply_event(order, kind, fill.ts, "", source)
        return True

    def has_fill(self, fill_id: str) -> bool:
        return fill_id in self._seen_fills

    def seen_fill_ids(self) -> frozenset[str]:
        """Every fill id booked, which reconciliation subtracts from the venue's executions."""
        return frozenset(self._seen_fills)

    # -- ambiguous outcomes ------------------------------------------------------------------
    def mark_ambiguous(
        self, order: Order, ts: int, operation: Operation = Operation.SUBMIT
    ) -> AmbiguousCall:
        """Record that a submit or replace of ``order`` got no answer. The order keeps its
        status (SUBMITTED or PENDING_REPLACE) and stays working, so risk counts it."""
        call = AmbiguousCall(order.client_order_id, operation, ts)
        self._ambiguous[order.client_order_id] = call
        return call

    def ambiguous_call(self, client_order_id: str) -> AmbiguousCall | None:
        return self._ambiguous.get(client_order_id)

    def ambiguous_orders(self) -> list[Order]:
        return [self._orders[cid] for cid in self._ambiguous]

    def clear_ambiguous(self, client_order_id: str) -> None:
        self._ambiguous.pop(client_order_id, None)

    # -- recovery ----------------------------------------------------------------------------
    def restore(
        self,
        order: Order,
        fills_applied: Iterable[str] = (),
        *,
        venue_order_id: str | None = None,
    ) -> None:
        """Put back an order recovered from the state store, under its own client order id.

        The order keeps its status, filled quantity, average price and commission as given
        (``StoredOrder.to_order()``); it is tracked as working if its status is. The fill ids
        in ``fills_applied`` (the venue execution ids booked for it) count as seen, so a
        redelivered fill is not booked twice. The sequence moves to at least the order's, so
        ``create`` never hands out a restored id again.

        Restoring an id already known with the same terms is a no-op (its fill ids are still
        recorded); with different terms it raises ``InvariantViolation``.
        """
        known = self._orders.get(order.client_order_id)
        if known is not None:
            differ = [name for name in _TERMS if getattr(known, name) != getattr(order, name)]
            if differ:
                raise InvariantViolation(
                    f"order {order.client_order_id} is already known with different "
                    f"{', '.join(differ)}"
                )
        else:
            self._orders[order.client_order_id] = order
            if order.status.is_working:
                self.working[order.client_order_id] = order
            self._seq = max(self._seq, order.seq)
        self._seen_fills.update(fills_applied)
        if venue_order_id is not None:
            self.bind_venue_id(order.client_order_id, venue_order_id)

    # -- venue ids and adoption --------------------------------------------------------------
    def bind_venue_id(self, client_order_id: str, venue_order_id: str) -> None:
        self._venue_ids[client_order_id] = venue_order_id

    def venue_order_id(self, client_order_id: str) -> str | None:
        return self._venue_ids.get(client_order_id)

    def adopt_order(self, report: VenueOrderReport, strategy_id: str, ts: int) -> Order:
        """Take over an order found at the venue that this manager never created.

        Its client order id is the venue's (an external order keeps its own id); it does not
        consume a sequence number, so the ids of our own orders stay deterministic. Its fills
        are adopted separately, by execution id.
        """
        if report.client_order_id in self._orders:
            raise InvariantViolation(f"order {report.client_order_id} is already known")
        order_type = OrderType.MARKET
        if report.limit_price is not None:
            order_type = OrderType.STOP_LIMIT if report.stop_price is not None else OrderType.LIMIT
        elif report.stop_price is not None:
            order_type = OrderType.STOP
        intent = OrderIntent(
            report.symbol, report.side, report.quantity, order_type,
            report.limit_price, report.stop_price, reason="adopted from the venue",
        )  # fmt: skip
        order = Order(report.client_order_id, 0, intent, strategy_id, ts)
        self._orders[order.client_order_id] = order
        self.bind_venue_id(order.client_order_id, report.venue_order_id)
        self.apply_event(order, OrderEventKind.SUBMIT, ts, "adopted", "reconcile")
        self.move_to(order, report.status, ts, "adopted", "reconcile")
        return order

    def move_to(
        self, order: Order, status: OrderStatus, ts: int, reason: str, source: str
    ) -> list[OrderUpdate | Anomaly]:
        """Apply the events that take a submitted order to the status a venue reports.

        Stops as soon as the order has that status, so adopting a status it already has is a
        no-op rather than an anomaly.
        """
        results: list[OrderUpdate | Anomaly] = []
        for kind in VENUE_STATUS_EVENTS[status]:
            if order.status is status:
                break
            result = self.apply_event(order, kind, ts, reason, source)
            if result is not None:
                results.append(result)
        return results
