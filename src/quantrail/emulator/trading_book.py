"""The emulated broker account: orders, fills, positions and cash, fed by an injected fill model.

The emulator must fill orders exactly as backtests do, yet ``quantrail.emulator`` may not import
``quantrail.execution`` (they are independent siblings of one layer). So the book takes an
:class:`OrderMatcher` (the shape of ``execution.FillSimulator``) built by a factory the caller
passes in, and is itself the matcher's ``VenueListener``: every fill and status change the model
reports becomes an Alpaca order update and a trade update.

Alpaca orders (records) and the model's orders differ in one way: a replace gives the order a new
Alpaca id while the model keeps working the same order, so records carry the model's ``key``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderStatus, Side, TimeInForce
from quantrail.core.events import Fill
from quantrail.core.order_state import OrderEventKind, next_status
from quantrail.core.orders import Order
from quantrail.core.ports import Clock, VenueListener
from quantrail.emulator.trading_records import FillRecord, OrderRecord, PositionRecord

__all__ = ["MatcherFactory", "OrderError", "OrderMatcher", "TradingBook", "Update"]

_QTY_EPS = 1e-9
_EVENT_NAMES = {
    OrderEventKind.ACCEPT: "new",
    OrderEventKind.CANCEL: "canceled",
    OrderEventKind.EXPIRE: "expired",
    OrderEventKind.REJECT: "rejected",
}


class OrderMatcher(Protocol):
    """The fill model the book drives: ``quantrail.execution.FillSimulator`` fits it as is."""

    def submit(self, order: Order) -> None: ...

    def cancel(self, order: Order) -> None: ...

    def modify(
        self,
        order: Order,
        quantity: float | None,
        limit_price: float | None,
        stop_price: float | None,
    ) -> None: ...

    def on_bar(self, bar: Bar, sigma: float) -> None: ...


MatcherFactory = Callable[[VenueListener, Clock], OrderMatcher]
"""Builds the fill model around the book (its listener) and the emulator's clock, e.g.
``lambda listener, clock: FillSimulator(config, instruments, listener, clock)``."""


class OrderError(Exception):
    """A request the venue refuses: HTTP ``status`` with Alpaca's ``{"code", "message"}``."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Update:
    """One trade update, with the order as it was when the event happened."""

    event: str
    order_id: str
    order: dict[str, Any]
    ts: int
    execution_id: str | None = None
    price: float | None = None
    qty: float | None = None
    position_qty: float | None = None


class TradingBook:
    """Orders, fills, positions and cash of one emulated account.

    Parameters
    ----------
    cash : float
        Starting cash.
    clock : Clock
        The emulator's (replayed) time; every record is stamped with it.
    publish : callable
        Receives every :class:`Update` (the trade-updates stream).
    """

    def __init__(self, cash: float, clock: Clock, publish: Callable[[Update], None]) -> None:
        self.cash = self.initial_cash = float(cash)
        self.clock = clock
        self.publish = publish
        self.matcher: OrderMatcher | None = None
        self.orders: dict[str, OrderRecord] = {}
        self.by_client_id: dict[str, str] = {}
        self.positions: dict[str, PositionRecord] = {}
        self.fills: list[FillRecord] = []
        self.last_price: dict[str, float] = {}
        self.core: dict[str, Order] = {}  # model orders still working, by key
        self.current: dict[str, str] = {}  # key -> id of the record that is that order now
        self.pending_replacement: dict[str, str] = {}  # key -> id of the replacing record
        self.seq = 0

    # -- the VenueListener port ---------------------------------------------------------------

    def on_venue_event(self, order: Order, kind: OrderEventKind, ts: int, reason: str) -> None:
        """Apply a status change reported by the fill model and publish it."""
        previous = order.status
        status = next_status(previous, kind)
        if status is None:
            return  # a late update for a finished order: nothing left to change
        order.status = status
        order.ts_last = ts
        key = order.client_order_id
        record = self.orders[self.current[key]]
        if kind is OrderEventKind.REPLACE:
            self._replaced(order, record, ts)
            return
        if kind is OrderEventKind.REJECT and previous is OrderStatus.PENDING_REPLACE:
            record.sync(order, ts)
            self._reject_replacement(key, ts)
            return
        record.sync(order, ts)
        if kind is OrderEventKind.ACCEPT and previous not in (
            OrderStatus.NEW,
            OrderStatus.SUBMITTED,
        ):
            return  # an acknowledgement that changes nothing (a restart re-submitting the order)
        if kind in _EVENT_NAMES:
            self._emit(_EVENT_NAMES[kind], record, ts)
        self._forget_if_done(order, ts)

    def on_venue_fill(self, order: Order, fill: Fill) -> None:
        """Book a fill on the order, the position and cash, and publish it."""
        filled = order.filled_quantity + fill.quantity
        paid = 0.0 if order.filled_quantity == 0 else order.avg_fill_price * order.filled_quantity
        order.avg_fill_price = (paid + fill.price * fill.quantity) / filled
        order.filled_quantity = filled
        order.commission += fill.commission
        complete = order.quantity - filled <= _QTY_EPS
        kind = OrderEventKind.FILL if complete else OrderEventKind.PARTIAL_FILL
        status = next_status(order.status, kind)
        if status is not None:
            order.status = status
        position = self.positions.setdefault(fill.symbol, PositionRecord(fill.symbol))
        position.apply(fill.signed_quantity, fill.price)
        self.cash -= fill.signed_quantity * fill.price + fill.commission
        record = self.orders[self.current[order.client_order_id]]
        record.sync(order, fill.ts)
        execution = FillRecord(
            str(uuid.uuid4()),
            record.id,
            fill.symbol,
            fill.side.label,
            fill.quantity,
            fill.price,
            fill.commission,
            fill.ts,
        )
        self.fills.append(execution)
        update = Update(
            "fill" if complete else "partial_fill",
            record.id,
            record.wire(),
            fill.ts,
            execution.execution_id,
            fill.price,
            fill.quantity,
            position.qty,
        )
        self.publish(update)
        self._forget_if_done(order, fill.ts)

    # -- requests -------------------------------------------------------------------------------

    def add(self, record: OrderRecord, order: Order) -> None:
        """Register a new order under its record (before the model sees it)."""
        self.orders[record.id] = record
        self.by_client_id[record.client_order_id] = record.id
        self.core[order.client_order_id] = order
        self.current[order.client_order_id] = record.id

    def reject(self, record: OrderRecord, order: Order, reason: str) -> None:
        """Reject an accepted order before it reaches the fill model."""
        ts = self.clock.now_ns()
        order.status = OrderStatus.REJECTED
        record.status, record.failed_at, record.updated_at = "rejected", ts, ts
        self.core.pop(order.client_order_id, None)
        self._emit("rejected", record, ts)

    def request_cancel(self, record: OrderRecord) -> None:
        """Ask the model to cancel; publishes ``pending_cancel`` when the cancel is in flight."""
        order = self._working(record, "canceled")
        key = order.client_order_id
        if order.status is OrderStatus.PENDING_CANCEL:
            raise OrderError(422, 42210000, "order is already pending cancel")
        if order.status is OrderStatus.PENDING_REPLACE:
            self._reject_replacement(key, self.clock.now_ns())  # the cancel supersedes it
        order.status = OrderStatus.PENDING_CANCEL
        self._matcher().cancel(order)
        if order.status is OrderStatus.PENDING_CANCEL:
            record.sync(order, self.clock.now_ns())
            self._emit("pending_cancel", record, record.updated_at)

    def request_replace(self, record: OrderRecord, replacement: OrderRecord) -> None:
        """Ask the model to apply ``replacement``'s quantity and prices to ``record``'s order."""
        order = self._working(record, "replaced")
        if order.status not in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED):
            raise OrderError(422, 42210000, f"order is {record.status}; it cannot be replaced")
        if replacement.qty <= order.filled_quantity + _QTY_EPS:
            raise OrderError(422, 40010001, "qty must be above the filled quantity")
        key = order.client_order_id
        self.orders[replacement.id] = replacement
        self.by_client_id[replacement.client_order_id] = replacement.id
        self.pending_replacement[key] = replacement.id
        order.status = OrderStatus.PENDING_REPLACE
        changed = (
            None if replacement.qty == order.quantity else replacement.qty,
            replacement.limit_price if replacement.limit_price != order.limit_price else None,
            replacement.stop_price if replacement.stop_price != order.stop_price else None,
        )
        self._matcher().modify(order, *changed)
        if order.status is OrderStatus.PENDING_REPLACE:
            record.sync(order, self.clock.now_ns())
            self._emit("pending_replace", record, record.updated_at)

    def next_seq(self) -> int:
        """The next order sequence number (the model's age priority)."""
        self.seq += 1
        return self.seq

    # -- account ----------------------------------------------------------------------------

    def mark(self, symbol: str) -> float:
        """Last replayed close of ``symbol``, else its position's entry price, else NaN."""
        if symbol in self.last_price:
            return self.last_price[symbol]
        position = self.positions.get(symbol)
        return position.avg_entry_price if position is not None else float("nan")

    def open_positions(self) -> list[PositionRecord]:
        """Positions with a non-zero quantity, by symbol."""
        return [p for _, p in sorted(self.positions.items()) if abs(p.qty) > _QTY_EPS]

    def reserved_cash(self) -> float:
        """Cash the open buy orders would spend at their limit (or the last mark)."""
        total = 0.0
        for order in self.core.values():
            if order.side is Side.BUY and order.status.is_working:
                price = order.limit_price or order.stop_price or self.mark(order.symbol)
                total += (order.quantity - order.filled_quantity) * price
        return total

    # -- internals ----------------------------------------------------------------------------

    def _matcher(self) -> OrderMatcher:
        if self.matcher is None:
            raise RuntimeError("the trading book has no fill model")
        return self.matcher

    def _working(self, record: OrderRecord, verb: str) -> Order:
        order = self.core.get(record.key)
        if order is None or not record.is_open or self.current.get(record.key) != record.id:
            raise OrderError(422, 42210000, f"order is {record.status}; it cannot be {verb}")
        return order

    def _emit(self, event: str, record: OrderRecord, ts: int) -> None:
        self.publish(Update(event, record.id, record.wire(), ts))

    def _replaced(self, order: Order, old: OrderRecord, ts: int) -> None:
        key = order.client_order_id
        new = self.orders[self.pending_replacement.pop(key)]
        old.status, old.replaced_at, old.replaced_by, old.updated_at = "replaced", ts, new.id, ts
        self.current[key] = new.id
        order.time_in_force = TimeInForce(new.time_in_force)  # the model never changes the tif
        new.sync(order, ts)
        self._emit("replaced", old, ts)
        self._emit("new", new, ts)
        self._forget_if_done(order, ts)

    def _reject_replacement(self, key: str, ts: int) -> None:
        new_id = self.pending_replacement.pop(key, None)
        if new_id is not None:
            new = self.orders[new_id]
            new.status, new.failed_at, new.updated_at = "rejected", ts, ts
            self._emit("rejected", new, ts)

    def _forget_if_done(self, order: Order, ts: int) -> None:
        if order.status.is_terminal:
            # "If the existing order is filled before the replacing order reaches the venue, the
            # replacing order is rejected" (Alpaca's replace documentation).
            self._reject_replacement(order.client_order_id, ts)
            self.core.pop(order.client_order_id, None)
