"""The store's reads, each a function of an open (read) transaction."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from quantrail.core.enums import OrderStatus
from quantrail.risk.modes import RiskMode
from quantrail.risk.state import Change, Latch
from quantrail.store.state._rows import (
    decode_strategy_state,
    stored_fill,
    stored_order,
    stored_position,
)
from quantrail.store.state.records import (
    AccountSnapshot,
    LatencyStage,
    RiskState,
    StoredEvent,
    StoredFill,
    StoredOrder,
    StoredPosition,
    StrategyState,
)
from quantrail.store.state.schema import (
    ACCOUNT_SNAPSHOTS,
    CASH_BOOK,
    FILLS,
    LATENCY_SAMPLES,
    MARKERS,
    ORDER_EVENTS,
    ORDERS,
    POSITIONS,
    RISK_CHANGES,
    RISK_LATCH,
    RISK_MARKS,
    STRATEGY_STATE,
)

__all__ = [
    "account",
    "cash",
    "events",
    "fill_ids_by_order",
    "fills",
    "last_seq",
    "latency_counts",
    "latency_samples",
    "markers",
    "open_orders",
    "order",
    "positions",
    "risk_state",
    "strategy_states",
]

_TERMINAL = tuple(status.value for status in OrderStatus if status.is_terminal)


def open_orders(conn: Connection) -> tuple[StoredOrder, ...]:
    """Orders not yet in a terminal status (NEW included), in the order they were created."""
    query = (
        select(ORDERS)
        .where(ORDERS.c.status.not_in(_TERMINAL))
        .order_by(ORDERS.c.ts_created, ORDERS.c.seq, ORDERS.c.client_order_id)
    )
    return tuple(stored_order(row) for row in conn.execute(query))


def last_seq(conn: Connection) -> dict[str, int]:
    """The highest order sequence per strategy id, over all orders (finished ones included)."""
    query = (
        select(ORDERS.c.strategy_id, func.max(ORDERS.c.seq))
        .group_by(ORDERS.c.strategy_id)
        .order_by(ORDERS.c.strategy_id)
    )
    return {strategy_id: int(seq) for strategy_id, seq in conn.execute(query)}


def fill_ids_by_order(conn: Connection) -> dict[str, tuple[str, ...]]:
    """Client order id -> the venue execution ids of its booked fills, in fill-log order."""
    query = select(FILLS.c.client_order_id, FILLS.c.venue_execution_id).order_by(FILLS.c.seq)
    grouped: dict[str, list[str]] = {}
    for client_order_id, execution_id in conn.execute(query):
        grouped.setdefault(client_order_id, []).append(execution_id)
    return {cid: tuple(ids) for cid, ids in grouped.items()}


def order(conn: Connection, client_order_id: str) -> StoredOrder | None:
    row = conn.execute(select(ORDERS).where(ORDERS.c.client_order_id == client_order_id)).first()
    return None if row is None else stored_order(row)


def events(conn: Connection, client_order_id: str) -> list[StoredEvent]:
    query = (
        select(ORDER_EVENTS)
        .where(ORDER_EVENTS.c.client_order_id == client_order_id)
        .order_by(ORDER_EVENTS.c.id)
    )
    return [
        StoredEvent(
            r.id, r.client_order_id, r.kind, OrderStatus(r.status), r.ts, r.source,
            r.venue_event_id, r.reason,
        )
        for r in conn.execute(query)
    ]  # fmt: skip


def fills(conn: Connection, client_order_id: str | None = None) -> list[StoredFill]:
    query = select(FILLS).order_by(FILLS.c.seq)
    if client_order_id is not None:
        query = query.where(FILLS.c.client_order_id == client_order_id)
    return [stored_fill(row) for row in conn.execute(query)]


def positions(conn: Connection) -> dict[str, StoredPosition]:
    """Non-flat positions by symbol."""
    query = select(POSITIONS).where(POSITIONS.c.quantity != 0).order_by(POSITIONS.c.symbol)
    return {row.symbol: stored_position(row) for row in conn.execute(query)}


def cash(conn: Connection) -> float | None:
    value = conn.execute(select(CASH_BOOK.c.cash).where(CASH_BOOK.c.id == 1)).scalar()
    return None if value is None else float(value)


def account(conn: Connection) -> AccountSnapshot | None:
    """The newest account snapshot (by timestamp, then by write order)."""
    query = select(ACCOUNT_SNAPSHOTS).order_by(
        ACCOUNT_SNAPSHOTS.c.ts.desc(), ACCOUNT_SNAPSHOTS.c.id.desc()
    )
    row = conn.execute(query.limit(1)).first()
    return None if row is None else AccountSnapshot(row.ts, row.cash, row.buying_power, row.equity)


def markers(conn: Connection) -> dict[str, int]:
    query = select(MARKERS.c.stream, MARKERS.c.ts_ns).order_by(MARKERS.c.stream)
    return {stream: int(ts_ns) for stream, ts_ns in conn.execute(query)}


def strategy_states(conn: Connection, strategy_id: str | None = None) -> dict[str, StrategyState]:
    query = select(STRATEGY_STATE).order_by(STRATEGY_STATE.c.strategy_id)
    if strategy_id is not None:
        query = query.where(STRATEGY_STATE.c.strategy_id == strategy_id)
    return {
        row.strategy_id: decode_strategy_state(row.encoding, row.payload)
        for row in conn.execute(query)
    }


def risk_state(conn: Connection) -> RiskState:
    latches = {
        r.scope: Latch(RiskMode(r.mode), r.reason, r.actor, r.ts_ns, r.session)
        for r in conn.execute(select(RISK_LATCH).order_by(RISK_LATCH.c.scope))
    }
    changes = tuple(
        Change(r.ts_ns, r.kind, r.actor, r.old, r.new, r.reason)
        for r in conn.execute(select(RISK_CHANGES).order_by(RISK_CHANGES.c.id))
    )
    marks = {r.key: float(r.value) for r in conn.execute(select(RISK_MARKS))}
    return RiskState(latches, changes, marks)


def latency_samples(conn: Connection, stage: LatencyStage, window: int) -> list[int]:
    """The newest ``window`` samples of ``stage`` (ns), newest first."""
    query = (
        select(LATENCY_SAMPLES.c.ns)
        .where(LATENCY_SAMPLES.c.stage == stage.value)
        .order_by(LATENCY_SAMPLES.c.id.desc())
        .limit(window)
    )
    return [int(ns) for ns in conn.scalars(query)]


def latency_counts(conn: Connection) -> dict[str, int]:
    """How many samples each stage has in total."""
    query = select(LATENCY_SAMPLES.c.stage, func.count()).group_by(LATENCY_SAMPLES.c.stage)
    return {stage: int(count) for stage, count in conn.execute(query)}
