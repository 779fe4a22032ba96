"""The durable state store of the live engine: write before acting, recover after a crash.

Contract (docs/state-store.md): the engine writes what it is about to do before doing it (the
submit intent before the adapter is called), journals every transition it learns about, and
books every fill exactly once (the venue execution id is UNIQUE in the database). Every
method is one transaction; ``transaction()`` groups several into one, so a bar's fills,
status changes and stream marker commit together or not at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, select

from quantrail.core.enums import OrderStatus
from quantrail.core.events import Fill
from quantrail.core.order_state import OrderEventKind
from quantrail.core.orders import Order
from quantrail.store import migrations
from quantrail.store.state import _reads as reads
from quantrail.store.state import _writes as writes
from quantrail.store.state.connect import READ_ONLY, create_state_engine, redact
from quantrail.store.state.records import (
    AccountSnapshot,
    LatencyStage,
    RecoveredState,
    StoredEvent,
    StoredFill,
    StoredOrder,
    StoredPosition,
    StrategyState,
)
from quantrail.store.state.schema import MARKERS

__all__ = ["StateStore"]


class StateStore:
    """Orders, events, fills, positions, cash, markers, strategy and risk state in one database.

    Open with :meth:`open`; one engine process writes, any number may read (``status``).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()  # the open transaction of each thread, if any

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, *, schema: str | None = None, migrate: bool = True) -> StateStore:
        """Connect to ``url`` and bring its schema to the newest revision.

        Parameters
        ----------
        url : str
            ``sqlite:///path/state.sqlite`` (default back-end) or
            ``postgresql+psycopg://user@host:5432/db[?options=-csearch_path%3DNAME]``.
        schema : str, optional
            PostgreSQL schema (created if missing), instead of ``search_path`` in the URL.
        migrate : bool
            Run ``alembic upgrade head`` (in one transaction). False only for tools that must
            not change the database; they see whatever revision it has.
        """
        store = cls(create_state_engine(url, schema))
        if migrate:
            try:
                with store.transaction() as conn:
                    migrations.upgrade(conn)
            except BaseException:
                store.close()
                raise
        return store

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> str:
        """The URL, password hidden."""
        return redact(self._engine.url)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"StateStore({self.url})"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit: every store call inside it commits with it or not at all.

        Nested use (a store method inside ``transaction()``) runs in a savepoint, so a call
        that fails and is caught leaves no half-written rows in the outer transaction.
        """
        active: Connection | None = getattr(self._local, "conn", None)
        if active is not None:
            with active.begin_nested():
                yield active
            return
        with self._engine.begin() as conn:
            self._local.conn = conn
            try:
                yield conn
            finally:
                self._local.conn = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot that does not block the writer.

        Inside ``transaction()`` it is that transaction (so it sees its own writes).
        """
        active: Connection | None = getattr(self._local, "conn", None)
        if active is not None:
            yield active  # inside a transaction: see its own writes
            return
        with self._engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # One snapshot for all of load_state's queries while the engine keeps writing.
                conn.execution_options(isolation_level="REPEATABLE READ")
            conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn

    def revision(self) -> str | None:
        """The migration revision the database is at."""
        with self.read() as conn:
            return migrations.current_revision(conn)

    # -- orders, events, fills ---------------------------------------------------------------
    def record_submit_intent(self, order: Order) -> bool:
        """Write a NEW order before the adapter is asked to submit it.

        Returns False when the same intent was already written (a retry); raises
        ``InvariantViolation`` when the client order id exists with a different intent.
        """
        with self.transaction() as conn:
            return writes.insert_intent(conn, order)

    def record_event(
        self,
        client_order_id: str,
        kind: OrderEventKind | str,
        status: OrderStatus,
        ts: int,
        source: str,
        venue_event_id: str | None = None,
        *,
        reason: str = "",
        venue_order_id: str | None = None,
    ) -> bool:
        """Journal a transition and set the order's status; False if ``venue_event_id`` is known.

        ``status`` is the status after the event, as the order manager computed it. An order
        in a terminal status is never moved (``InvariantViolation``).
        """
        with self.transaction() as conn:
            return writes.insert_event(
                conn, client_order_id, kind, status, ts, source, venue_event_id, reason,
                venue_order_id,
            )  # fmt: skip

    def record_fill(self, fill: Fill, venue_execution_id: str) -> bool:
        """Book a fill with its position, order progress and cash; False if already booked."""
        with self.transaction() as conn:
            return writes.insert_fill(conn, fill, venue_execution_id)

    def update_order_terms(
        self,
        client_order_id: str,
        ts: int,
        *,
        quantity: float | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
    ) -> None:
        """Store the terms of a confirmed modify (journal the REPLACE event with it)."""
        terms = {"quantity": quantity, "limit_price": limit_price, "stop_price": stop_price}
        with self.transaction() as conn:
            writes.write_terms(conn, client_order_id, ts, terms)

    def load_open_orders(self) -> tuple[StoredOrder, ...]:
        with self.read() as conn:
            return reads.open_orders(conn)

    def load_order(self, client_order_id: str) -> StoredOrder | None:
        with self.read() as conn:
            return reads.order(conn, client_order_id)

    def load_events(self, client_order_id: str) -> list[StoredEvent]:
        with self.read() as conn:
            return reads.events(conn, client_order_id)

    def load_fills(self, client_order_id: str | None = None) -> list[StoredFill]:
        with self.read() as conn:
            return reads.fills(conn, client_order_id)

    def load_positions(self) -> dict[str, StoredPosition]:
        with self.read() as conn:
            return reads.positions(conn)

    # -- markers, strategy state, account, latency -------------------------------------------
    def set_marker(self, stream: str, ts_ns: int) -> None:
        """Record ``stream`` as processed up to ``ts_ns``; ``MarkerRegression`` if backwards."""
        with self.transaction() as conn:
            writes.move_marker(conn, stream, ts_ns)

    def marker(self, stream: str) -> int | None:
        with self.read() as conn:
            value = conn.scalar(select(MARKERS.c.ts_ns).where(MARKERS.c.stream == stream))
            return None if value is None else int(value)

    def save_strategy_state(
        self, strategy_id: str, state: Mapping[str, Any] | bytes, ts: int = 0
    ) -> None:
        """Keep what ``Strategy.on_save`` returned (a JSON-able mapping, or bytes)."""
        with self.transaction() as conn:
            writes.write_strategy_state(conn, strategy_id, state, ts)

    def load_strategy_state(self, strategy_id: str) -> StrategyState | None:
        with self.read() as conn:
            return reads.strategy_states(conn, strategy_id).get(strategy_id)

    def snapshot_account(self, ts: int, cash: float, buying_power: float, equity: float) -> None:
        """Append an account snapshot; the cash book restarts from its cash."""
        with self.transaction() as conn:
            writes.write_account(conn, ts, cash, buying_power, equity)

    def load_account(self) -> AccountSnapshot | None:
        with self.read() as conn:
            return reads.account(conn)

    def record_latency(self, stage: LatencyStage | str, ns: int, ts: int | None = None) -> None:
        """One latency sample (nanoseconds spent in ``stage``)."""
        self.record_latencies([(stage, ns, ts)])

    def record_latencies(
        self, samples: Iterable[tuple[LatencyStage | str, int, int | None]]
    ) -> int:
        """Many samples in one transaction (one fsync), for the hot path; returns how many."""
        with self.transaction() as conn:
            return writes.insert_latencies(conn, samples)

    def latency_samples(self, stage: LatencyStage | str, window: int = 10_000) -> list[int]:
        """The newest ``window`` samples of ``stage``, newest first."""
        with self.read() as conn:
            return reads.latency_samples(conn, LatencyStage(stage), window)

    # -- recovery ----------------------------------------------------------------------------
    def load_state(self) -> RecoveredState:
        """Everything a restarted engine needs, from one consistent read."""
        with self.read() as conn:
            return RecoveredState(
                revision=migrations.current_revision(conn),
                open_orders=reads.open_orders(conn),
                positions=reads.positions(conn),
                cash=reads.cash(conn),
                account=reads.account(conn),
                markers=reads.markers(conn),
                strategy_state=reads.strategy_states(conn),
                risk=reads.risk_state(conn),
                last_seq=reads.last_seq(conn),
                fill_ids_by_order=reads.fill_ids_by_order(conn),
            )
