"""``LiveExecutionHarness``: the live engine's order path in miniature, around the real adapter.

An ``OrderManager(strict=False)``, a ``Portfolio``, the ``AlpacaExecution`` adapter pointed at
the emulator and, optionally, a ``StateStore``. It does what docs/oms.md ("What the engine
wires") and docs/state-store.md ("The write-before-act contract") ask of the engine:

- the submit intent is written before the adapter is called, a cancel or replace request is
  journaled before it is sent, a venue status is journaled before the OMS applies it;
- a fill is booked in the store first; ``record_fill`` returning False means it was already
  applied, and nothing else happens;
- an ambiguous submit is marked, then resolved by client order id (``resolve``), never resent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from quantrail.core.enums import OrderStatus, Side
from quantrail.core.errors import InvariantViolation
from quantrail.core.events import Fill, OrderUpdate
from quantrail.core.order_state import OrderEventKind, next_status
from quantrail.core.orders import Order, OrderIntent
from quantrail.emulator import TradingHandle
from quantrail.execution.adapters import AlpacaCredentials, AlpacaExecution, AlpacaSettings
from quantrail.oms import (
    RETRY_POLICY,
    OnUnavailable,
    Operation,
    OrderManager,
    Resolution,
    RetryRule,
    apply_resolution,
    fill_from_report,
    resolve_ambiguous,
)
from quantrail.portfolio import Portfolio
from quantrail.runtime.clock import LiveClock
from quantrail.store.state import StateStore

__all__ = ["LiveExecutionHarness", "fast_settings"]

_E = OrderEventKind
_QTY_EPS = 1e-9
# The production rules with the waits shortened, so a test's retries take milliseconds; a
# venue's Retry-After still sets the floor of a wait.
FAST_POLICY = {
    name: replace(rule, base_delay=0.01, max_delay=0.05, deadline=5.0)
    for name, rule in RETRY_POLICY.items()
}


def fast_settings(emu: TradingHandle, **overrides: Any) -> AlpacaSettings:
    """Adapter settings for the emulator: short timeouts, polls and reconnect waits."""
    values: dict[str, Any] = {
        "rest_url": emu.rest_url,
        "stream_url": emu.stream_url,
        "request_timeout": 2.0,
        "poll_interval": 0.1,
        "consistency_window": 0.5,
        "reconnect": RetryRule(OnUnavailable.RETRY, base_delay=0.05, max_delay=0.2, jitter=0.0),
        "policy": FAST_POLICY,
    }
    values.update(overrides)
    return AlpacaSettings(**values)


class LiveExecutionHarness:
    """The OMS, the portfolio and the state store driven by the adapter's callbacks."""

    def __init__(
        self,
        emu: TradingHandle,
        *,
        store: StateStore | None = None,
        oms: OrderManager | None = None,
        portfolio: Portfolio | None = None,
        strategy_id: str = "s1",
        **settings: Any,
    ) -> None:
        self.clock = LiveClock()
        self.oms = oms or OrderManager(strict=False)
        self.portfolio = portfolio or Portfolio(100_000.0)
        self.store = store
        self.strategy_id = strategy_id
        self.updates: list[OrderUpdate] = []
        self.fills: list[Fill] = []
        self.duplicates = 0
        self.sleeps: list[float] = []
        self.settings = fast_settings(emu, **settings)
        self.adapter = AlpacaExecution(
            self, self.clock, credentials=AlpacaCredentials.test_key(), settings=self.settings,
            sleep=self._sleep,
        )  # fmt: skip

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        time.sleep(seconds)

    @contextmanager
    def running(self) -> Iterator[LiveExecutionHarness]:
        """Start the stream (waiting until it listens) and close everything on exit."""
        try:
            assert self.adapter.start(wait=5.0), "the trade-updates stream did not connect"
            # The poll that covers "before the stream listened" runs on the first pump; run it
            # now, so that it cannot race a test's first fill.
            self.pump_until(lambda: not self.adapter.catching_up)
            yield self
        finally:
            self.adapter.close()

    # -- what the engine sends ---------------------------------------------------------------
    def submit(self, intent: OrderIntent) -> Order:
        ts = self.clock.now_ns()
        order = self.oms.create(intent, self.strategy_id, ts)
        if self.store is not None:
            self.store.record_submit_intent(order)  # before the venue is asked
        self.oms.apply_event(order, _E.SUBMIT, ts, "", "engine")
        self.adapter.submit(order)
        if self.store is not None:
            self.store.record_event(order.client_order_id, _E.SUBMIT, order.status, ts, "engine")
        return order

    def cancel(self, order: Order) -> None:
        self._engine_event(order, _E.CANCEL_REQUEST)
        self.adapter.cancel(order)

    def modify(
        self, order: Order, quantity: float | None = None, limit_price: float | None = None
    ) -> None:
        self._engine_event(order, _E.REPLACE_REQUEST)
        self.adapter.modify(order, quantity, limit_price, None)

    def _engine_event(self, order: Order, kind: OrderEventKind) -> None:
        ts = self.clock.now_ns()
        status = next_status(order.status, kind)
        assert status is not None, f"{kind} is not allowed for {order}"
        if self.store is not None:
            self.store.record_event(order.client_order_id, kind, status, ts, "engine")
        self.oms.apply_event(order, kind, ts, "", "engine")

    # -- VenueListener (+ on_venue_ambiguous) ------------------------------------------------
    def on_venue_event(self, order: Order, kind: OrderEventKind, ts: int, reason: str) -> None:
        status = next_status(order.status, kind)
        if status is not None and self.store is not None:
            with self.store.transaction():
                self.store.record_event(
                    order.client_order_id, kind, status, ts, "venue", reason=reason,
                    venue_order_id=self.adapter.venue_order_id(order.client_order_id),
                )  # fmt: skip
                if kind is _E.REPLACE:
                    self.store.update_order_terms(
                        order.client_order_id, ts, quantity=order.quantity,
                        limit_price=order.limit_price, stop_price=order.stop_price,
                    )  # fmt: skip
        result = self.oms.apply_event(order, kind, ts, reason, "venue")
        if isinstance(result, OrderUpdate):
            self.updates.append(result)

    def on_venue_fill(self, order: Order, fill: Fill) -> None:
        if self.store is not None and not self._book_in_store(order, fill):
            self.duplicates += 1  # the store had it: already applied, nothing else happens
            return
        if not self.oms.apply_fill(order, fill):
            assert self.store is None, f"the store booked {fill.fill_id}, the OMS refused it"
            self.duplicates += 1
            return
        self.portfolio.apply_fill(fill)
        self.fills.append(fill)

    def _book_in_store(self, order: Order, fill: Fill) -> bool:
        """Write the fill and its event before the OMS applies it; False if already booked."""
        assert self.store is not None
        kind = _E.FILL if order.remaining - fill.quantity <= _QTY_EPS else _E.PARTIAL_FILL
        status = order.status
        if not status.is_terminal:
            status = next_status(status, kind) or status
        try:
            with self.store.transaction():
                if not self.store.record_fill(fill, fill.fill_id):
                    return False
                self.store.record_event(
                    order.client_order_id, kind, status, fill.ts, "venue", fill.fill_id
                )
        except InvariantViolation:
            # StateStore.record_fill checks for an overfill before its UNIQUE execution id
            # decides, so the redelivery of an order's last fill raises instead of returning
            # False (reported to the store's owner). Nothing was written; treat a known
            # execution id as the duplicate it is.
            known = {f.venue_execution_id for f in self.store.load_fills(order.client_order_id)}
            if fill.fill_id not in known:
                raise
            return False
        return True

    def on_venue_ambiguous(self, order: Order, operation: Operation, ts: int, detail: str) -> None:
        self.oms.mark_ambiguous(order, ts, operation)

    # -- the engine's timers -----------------------------------------------------------------
    def pump_until(self, done: Callable[[], bool], timeout: float = 5.0) -> None:
        """Pump venue updates until ``done()``; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(f"not reached in {timeout} s; orders: {self.oms.orders()}")
            self.adapter.pump(timeout=0.02)

    def settle(self, seconds: float = 0.3) -> None:
        """Pump for a while, so late and duplicated updates arrive and are dropped."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.adapter.pump(timeout=0.02)

    def resolve(self) -> list[Resolution]:
        """Resolve every ambiguous order by client order id; book the fills the venue has."""
        window = int(self.settings.consistency_window * 1e9)
        resolutions = []
        for order in self.oms.ambiguous_orders():
            call = self.oms.ambiguous_call(order.client_order_id)
            assert call is not None
            now = self.clock.now_ns()
            resolution = resolve_ambiguous(order, self.adapter.lookup, call, now, window)
            for update in apply_resolution(self.oms, order, resolution, now):
                if isinstance(update, OrderUpdate) and self.store is not None:
                    venue_id = (
                        None if resolution.report is None else resolution.report.venue_order_id
                    )
                    self.store.record_event(
                        update.client_order_id, update.kind, update.status, update.ts,
                        "resolve", reason=update.reason, venue_order_id=venue_id,
                    )  # fmt: skip
            if resolution.report is not None and resolution.missing_fill_quantity > 0:
                for report in self.adapter.missing_fills(order, resolution.report):
                    self.on_venue_fill(order, fill_from_report(report))
            resolutions.append(resolution)
        return resolutions

    # -- restart -----------------------------------------------------------------------------
    @classmethod
    def recover(cls, emu: TradingHandle, store: StateStore, **kwargs: Any) -> LiveExecutionHarness:
        """A fresh harness from ``store.load_state()``: open orders restored and tracked, the
        submits whose outcome the crash lost marked ambiguous (resolve them with ``resolve``).

        The OMS has no call to restore a stored order, so each one is re-created from its
        intent with the sequence just below its own: the client order id comes out the same
        (asserted). That needs the restored orders' sequence numbers to be consecutive.
        """
        state = store.load_state()
        stored = sorted(state.open_orders, key=lambda o: o.seq)
        start = stored[0].seq - 1 if stored else 0
        oms = OrderManager(strict=False, start_seq=start)
        cash = state.cash if state.cash is not None else 100_000.0
        held = sum(p.quantity * p.average_price for p in state.positions.values())
        portfolio = Portfolio(cash + held)
        for position in state.positions.values():  # rebuild each position at its average
            portfolio.apply_fill(_opening_fill(position.symbol, position.quantity,
                                               position.average_price))  # fmt: skip
        harness = cls(emu, store=store, oms=oms, portfolio=portfolio, **kwargs)
        for record in stored:
            order = oms.create(record.intent, record.strategy_id, record.ts_created)
            assert order.client_order_id == record.client_order_id
            restored = record.to_order()
            order.status, order.filled_quantity = restored.status, restored.filled_quantity
            order.avg_fill_price = restored.avg_fill_price
            if order.status.is_working:
                oms.working[order.client_order_id] = order
            harness.adapter.track(order, record.venue_order_id)
        for record in state.unresolved_submits:
            found = oms.get(record.client_order_id)
            assert found is not None
            order = found
            assert order.status is OrderStatus.NEW
            reason = "restart: the submit's outcome is unknown"
            store.record_event(order.client_order_id, _E.SUBMIT, OrderStatus.SUBMITTED,
                               harness.clock.now_ns(), "recover", reason=reason)  # fmt: skip
            oms.apply_event(order, _E.SUBMIT, record.ts_created, reason, "recover")
            oms.mark_ambiguous(order, record.ts_created, Operation.SUBMIT)
        return harness


def _opening_fill(symbol: str, quantity: float, price: float) -> Fill:
    side = Side.BUY if quantity > 0 else Side.SELL
    return Fill(f"restore-{symbol}", "", symbol, side, abs(quantity), price, price, 0.0, 0.0, 0.0,
                0, "restore", "restore")  # fmt: skip
