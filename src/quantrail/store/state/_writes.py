"""The store's writes, each a function of an open transaction (``StateStore`` supplies it).

Reads that a write depends on take row locks (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` already holds the database write lock), so a read-modify-write such as
a position update cannot interleave with another writer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from quantrail.core.enums import OrderStatus
from quantrail.core.errors import InvariantViolation
from quantrail.core.events import Fill
from quantrail.core.orders import Order
from quantrail.portfolio import Position
from quantrail.store.state._rows import encode_strategy_state, fill_values, order_values
from quantrail.store.state._sql import insert_ignore, upsert
from quantrail.store.state.records import LatencyStage, MarkerRegression
from quantrail.store.state.schema import (
    ACCOUNT_SNAPSHOTS,
    CASH_BOOK,
    FILLS,
    LATENCY_SAMPLES,
    MARKERS,
    ORDER_EVENTS,
    ORDERS,
    POSITIONS,
    STRATEGY_STATE,
)

__all__ = [
    "insert_event",
    "insert_fill",
    "insert_intent",
    "insert_latencies",
    "move_marker",
    "write_account",
    "write_strategy_state",
    "write_terms",
]

_OVERFILL_TOLERANCE = 1e-9
_SAME_INTENT = ("strategy_id", "symbol", "side", "quantity", "order_type")


def _order_row(conn: Connection, client_order_id: str) -> RowMapping:
    row = conn.execute(
        select(ORDERS).where(ORDERS.c.client_order_id == client_order_id).with_for_update()
    ).first()
    if row is None:
        raise InvariantViolation(
            f"order {client_order_id} is not in the state store: record_submit_intent must come "
            "first (write before act)"
        )
    return row._mapping


def insert_intent(conn: Connection, order: Order) -> bool:
    """Write a NEW order; False when the same intent is already there (a retried write)."""
    if order.status is not OrderStatus.NEW:
        raise InvariantViolation(
            f"order {order.client_order_id} is {order.status}: the submit intent is written "
            "while the order is NEW, before the venue is called"
        )
    if not (math.isfinite(order.quantity) and order.quantity > 0):
        raise InvariantViolation(
            f"order {order.client_order_id} has quantity {order.quantity}: refusing to store it"
        )
    values = order_values(order)
    if insert_ignore(conn, ORDERS, values, ["client_order_id"]):
        return True
    stored = _order_row(conn, order.client_order_id)
    differs = [name for name in _SAME_INTENT if stored[name] != values[name]]
    if differs:
        raise InvariantViolation(
            f"client order id {order.client_order_id} is already stored with a different "
            f"intent ({', '.join(differs)} differ): client order ids must be unique"
        )
    return False


def insert_event(
    conn: Connection,
    client_order_id: str,
    kind: str,
    status: OrderStatus,
    ts: int,
    source: str,
    venue_event_id: str | None,
    reason: str,
    venue_order_id: str | None,
) -> bool:
    """Journal one transition and move the order to ``status``; False for a known venue event."""
    status = OrderStatus(status)  # a plain string from an adapter is accepted, then checked
    order = _order_row(conn, client_order_id)
    row = {
        "client_order_id": client_order_id,
        "kind": str(kind),
        "status": status.value,
        "ts": ts,
        "source": source,
        "venue_event_id": venue_event_id,
        "reason": reason,
    }
    if venue_event_id is None:
        conn.execute(insert(ORDER_EVENTS).values(row))
    elif not insert_ignore(conn, ORDER_EVENTS, row, ["venue_event_id"]):
        return False  # redelivered: already journaled and applied
    current = OrderStatus(order["status"])
    if current.is_terminal and status is not current:
        # The order manager never moves a finished order (core/order_state.py); a caller
        # that asks for it has a bug. The exception rolls back the event row too.
        raise InvariantViolation(
            f"order {client_order_id} is already {current}; refusing to move it to {status} "
            f"({kind} from {source})"
        )
    changes: dict[str, Any] = {"status": status.value, "ts_last": max(order["ts_last"], ts)}
    if venue_order_id is not None:
        if order["venue_order_id"] not in (None, venue_order_id):
            raise InvariantViolation(
                f"order {client_order_id} has venue id {order['venue_order_id']}, "
                f"an event says {venue_order_id}"
            )
        changes["venue_order_id"] = venue_order_id
    conn.execute(update(ORDERS).where(ORDERS.c.client_order_id == client_order_id).values(changes))
    return True


def write_terms(
    conn: Connection,
    client_order_id: str,
    ts: int,
    terms: Mapping[str, float | None],
) -> None:
    """Replace the order's quantity, limit or stop price (a confirmed modify)."""
    order = _order_row(conn, client_order_id)
    quantity = terms.get("quantity")
    if quantity is not None and not quantity >= order["filled_quantity"]:
        raise InvariantViolation(
            f"order {client_order_id}: quantity {quantity} is below the "
            f"{order['filled_quantity']} already filled"
        )
    values: dict[str, Any] = {k: v for k, v in terms.items() if v is not None}
    values["ts_last"] = max(order["ts_last"], ts)
    conn.execute(update(ORDERS).where(ORDERS.c.client_order_id == client_order_id).values(values))


def _check_fill(fill: Fill, order: RowMapping) -> None:
    if not (fill.quantity > 0 and math.isfinite(fill.price) and fill.price > 0):
        raise InvariantViolation(
            f"fill {fill.fill_id} for {fill.symbol} has quantity {fill.quantity} and price "
            f"{fill.price}: refusing to book it"
        )
    if (order["symbol"], order["side"]) != (fill.symbol, fill.side.label):
        raise InvariantViolation(
            f"fill {fill.fill_id} is a {fill.side.label} of {fill.symbol} but order "
            f"{fill.client_order_id} is a {order['side']} of {order['symbol']}"
        )
    filled = order["filled_quantity"] + fill.quantity
    if filled > order["quantity"] * (1 + _OVERFILL_TOLERANCE):
        raise InvariantViolation(
            f"fill {fill.fill_id} would fill {filled} of order {fill.client_order_id}'s "
            f"{order['quantity']}"
        )


def insert_fill(conn: Connection, fill: Fill, venue_execution_id: str) -> bool:
    """Book ``fill`` once: the fill row, the position, the order's progress and the cash book.

    The UNIQUE ``venue_execution_id`` decides; a second booking inserts nothing and changes
    nothing (returns False).
    """
    order = _order_row(conn, fill.client_order_id)
    # A redelivered fill is a duplicate, not an overfill: ask about the execution id first, or
    # the last fill of an order, sent again, would look like one fill too many.
    seen = conn.execute(
        select(FILLS.c.venue_execution_id).where(FILLS.c.venue_execution_id == venue_execution_id)
    ).first()
    if seen is not None:
        return False
    _check_fill(fill, order)
    held = conn.execute(
        select(POSITIONS).where(POSITIONS.c.symbol == fill.symbol).with_for_update()
    ).first()
    position = Position(fill.symbol)
    if held is not None:
        position.quantity = held.quantity
        position.average_price = held.average_price
        position.realized_pnl = held.realized_pnl
    position.apply(fill.signed_quantity, fill.price)
    book = conn.execute(select(CASH_BOOK.c.cash).where(CASH_BOOK.c.id == 1)).scalar()
    cash_after = (
        None if book is None else book - fill.signed_quantity * fill.price - fill.commission
    )
    values = fill_values(fill, venue_execution_id)
    values.update(position_after=position.quantity, cash_after=cash_after)
    if not insert_ignore(conn, FILLS, values, ["venue_execution_id"]):
        return False
    ts_last = fill.ts if held is None else max(held.ts_last, fill.ts)
    upsert(
        conn,
        POSITIONS,
        {
            "symbol": fill.symbol,
            "quantity": position.quantity,
            "average_price": position.average_price,
            "realized_pnl": position.realized_pnl,
            "ts_last": ts_last,
        },
        ["symbol"],
    )
    before = order["filled_quantity"]
    filled = before + fill.quantity
    average = order["avg_fill_price"] or 0.0
    conn.execute(
        update(ORDERS)
        .where(ORDERS.c.client_order_id == fill.client_order_id)
        .values(
            filled_quantity=filled,
            avg_fill_price=(average * before + fill.price * fill.quantity) / filled,
            commission=order["commission"] + fill.commission,
            ts_last=max(order["ts_last"], fill.ts),
        )
    )
    if cash_after is not None:
        conn.execute(update(CASH_BOOK).where(CASH_BOOK.c.id == 1).values(cash=cash_after))
    return True


def move_marker(conn: Connection, stream: str, ts_ns: int) -> None:
    """Advance ``stream``'s marker to ``ts_ns``; equal is a no-op, backwards is refused."""
    current = conn.execute(
        select(MARKERS.c.ts_ns).where(MARKERS.c.stream == stream).with_for_update()
    ).scalar()
    if current is not None and ts_ns < current:
        raise MarkerRegression(
            f"marker of stream {stream!r} is at {current}; refusing to move it back to {ts_ns} "
            "(events between the two would be processed twice after a restart)"
        )
    upsert(conn, MARKERS, {"stream": stream, "ts_ns": int(ts_ns)}, ["stream"])


def write_strategy_state(
    conn: Connection, strategy_id: str, state: Mapping[str, Any] | bytes, ts: int
) -> None:
    encoding, payload = encode_strategy_state(state)
    values = {"strategy_id": strategy_id, "encoding": encoding, "payload": payload, "ts": ts}
    upsert(conn, STRATEGY_STATE, values, ["strategy_id"])


def write_account(
    conn: Connection, ts: int, cash: float, buying_power: float, equity: float
) -> None:
    """Append a snapshot and reset the cash book to it (the account is the truth as of ``ts``)."""
    for name, value in (("cash", cash), ("buying_power", buying_power), ("equity", equity)):
        if not math.isfinite(value):
            raise InvariantViolation(f"account snapshot at {ts}: {name} is {value}")
    snapshot = {"ts": ts, "cash": cash, "buying_power": buying_power, "equity": equity}
    conn.execute(insert(ACCOUNT_SNAPSHOTS).values(snapshot))
    upsert(conn, CASH_BOOK, {"id": 1, "cash": cash, "ts": ts}, ["id"])


def insert_latencies(
    conn: Connection, samples: Iterable[tuple[LatencyStage | str, int, int | None]]
) -> int:
    """Append latency samples ``(stage, ns, ts)``; returns how many."""
    rows = []
    for stage, ns, ts in samples:
        try:
            name = LatencyStage(stage).value
        except ValueError:
            known = ", ".join(s.value for s in LatencyStage)
            raise ValueError(f"latency stage {stage!r} is not one of: {known}") from None
        if ns < 0:
            raise ValueError(f"latency of stage {name} is negative ({ns} ns)")
        rows.append({"stage": name, "ns": int(ns), "ts": ts})
    if rows:
        conn.execute(insert(LATENCY_SAMPLES), rows)
    return len(rows)
