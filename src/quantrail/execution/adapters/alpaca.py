"""The Alpaca adapter: our orders to Alpaca's trading API, its trade updates back to the engine.

1. ``submit``/``cancel``/``modify`` translate the order (``_alpaca_wire``) and make one REST call
   under ``oms.retry.call_with_policy``: a submit or replace is never resent after a timeout
   (the outcome is AMBIGUOUS and reported through ``on_venue_ambiguous``), a rate limit is
   waited out, a cancel is retried. Refusals are queued, not called back at once.
2. A websocket thread (``_alpaca_stream``) parses trade updates into a queue. ``pump`` drains it
   on the engine's thread and turns each update into ``on_venue_event`` / ``on_venue_fill``;
   a fill's ``fill_id`` is Alpaca's execution id, so a fill delivered twice books once.
3. While the stream is down, and once after each drop, ``pump`` polls the status of every
   working order: Alpaca does not replay the updates a dropped client missed. A fill found that
   way is booked from the order's cumulative quantity and average price (``_tracking``).
4. ``lookup`` (for ``resolve_ambiguous``), ``missing_fills`` and ``venue_book`` (for
   ``reconcile``) answer the engine's questions with the same translation.
"""

from __future__ import annotations

import logging
import queue
import random
import time
import warnings
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from quantrail.core.errors import ConfigError, VenueError
from quantrail.core.order_state import OrderEventKind
from quantrail.core.orders import Order
from quantrail.core.ports import Clock
from quantrail.execution.adapters._alpaca_rest import AlpacaRest, logical_orders
from quantrail.execution.adapters._alpaca_stream import TradeUpdateStream
from quantrail.execution.adapters._alpaca_updates import AlpacaStats, UpdateApplier
from quantrail.execution.adapters._alpaca_wire import (
    TradeUpdate,
    order_report,
    order_request,
)
from quantrail.execution.adapters._tracking import Track, Tracker
from quantrail.execution.adapters.alpaca_settings import AlpacaCredentials, AlpacaSettings
from quantrail.execution.adapters.base import AdapterListener
from quantrail.oms.anomaly import Operation
from quantrail.oms.books import VenueBook
from quantrail.oms.reports import VenueFillReport, VenueOrderReport
from quantrail.oms.retry import CallOutcome, CallResult, call_with_policy

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "websockets.legacy", DeprecationWarning)
    from alpaca.common.enums import BaseURL
    from alpaca.trading.enums import QueryOrderStatus
    from alpaca.trading.requests import ReplaceOrderRequest

__all__ = ["AlpacaExecution", "AlpacaStats"]

log = logging.getLogger("quantrail.execution.alpaca")
T = TypeVar("T")
_E = OrderEventKind


class AlpacaExecution:
    """``ExecutionVenue`` (and ``VenueAdapter``) for Alpaca, with the REST client and the stream.

    Parameters
    ----------
    listener : AdapterListener
        The engine: receives status changes, fills and ambiguous calls, all from :meth:`pump`.
    clock : Clock
        Time of requests and of the retry deadlines (``LiveClock`` live).
    credentials : AlpacaCredentials, optional
        Default: ``AlpacaCredentials.from_env()``, which refuses to go on without
        ``APCA_API_KEY_ID`` and ``APCA_API_SECRET_KEY``. A test key needs overridden URLs.
    settings : AlpacaSettings
        URLs, timeouts, poll interval, reconnect backoff and retry policy.
    sleep : callable
        Waits between retries (injected so tests can record the waits).
    """

    def __init__(
        self,
        listener: AdapterListener,
        clock: Clock,
        *,
        credentials: AlpacaCredentials | None = None,
        settings: AlpacaSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings = settings or AlpacaSettings()
        creds = credentials if credentials is not None else AlpacaCredentials.from_env()
        if creds.origin == "test" and not settings.overridden:
            raise ConfigError("alpaca: a test key may only be used with overridden URLs")
        self.listener = listener
        self.clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random(0)
        self._policy = None if settings.policy is None else dict(settings.policy)
        self._rest = AlpacaRest(creds, settings)
        self._inbox: queue.SimpleQueue[TradeUpdate | Callable[[], None]] = queue.SimpleQueue()
        url = settings.stream_url or str(
            (BaseURL.TRADING_STREAM_PAPER if settings.paper else BaseURL.TRADING_STREAM_LIVE).value
        )
        self._stream = TradeUpdateStream(
            url, creds.key_id, creds.secret_key, self._inbox.put, self._on_lost, settings.reconnect
        )
        # Stream losses (written by the stream's thread only) and how many a poll has covered.
        # "Before start" counts as one: the first pump after the stream listens polls once.
        self._losses = 1
        self._covered = 0
        self._poll_soon = False
        self._last_poll: int | None = None
        self.tracker = Tracker()
        self.calls: deque[CallResult[Any]] = deque(maxlen=1000)
        self.updates = UpdateApplier(listener, self.tracker, self._fetch)
        self.stats = self.updates.stats

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, wait: float = 5.0) -> bool:
        self._stream.start()
        return self._stream.connected.wait(wait)

    def close(self) -> None:
        self._stream.stop()
        self._rest.close()

    def __enter__(self) -> AlpacaExecution:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def stream_connected(self) -> bool:
        return self._stream.connected.is_set()

    @property
    def catching_up(self) -> bool:
        """True while updates may have been missed (stream down, or back but not yet polled)."""
        return self._covered != self._losses or not self.stream_connected

    def _on_lost(self) -> None:
        self._losses += 1  # the stream's thread is the only writer; pump only reads it

    # -- ExecutionVenue ----------------------------------------------------------------------
    def submit(self, order: Order) -> None:
        track = self.tracker.track(order)
        request = order_request(order)
        result = self._call("submit", lambda: self._rest.submit(request))
        if result.outcome is CallOutcome.DONE and result.value is not None:
            self.tracker.bind(track, str(result.value.id))
        elif result.outcome is CallOutcome.AMBIGUOUS:
            self._ambiguous(order, Operation.SUBMIT, result.error)
        else:  # REJECTED, or FAILED: every attempt was rate limited, so it was not placed
            self._later_event(order, _E.REJECT, self._why(result, "submit"))

    def cancel(self, order: Order) -> None:
        track = self.tracker.track(order)
        venue_id = track.current_id or self._find_id(track)
        if venue_id is None:
            self._later_event(order, _E.REJECT, "cancel refused: the venue does not know it")
            return
        result = self._call("cancel", lambda: self._rest.cancel(venue_id))
        if result.outcome is CallOutcome.REJECTED:
            # Usually "not cancelable": it filled or ended meanwhile. Say what the venue has.
            report = self._query(order.client_order_id)
            if report is not None and report.status.is_terminal:
                self._inbox.put(lambda: self.updates.apply_report(track, report))
            else:
                self._later_event(order, _E.REJECT, self._why(result, "cancel"))
        elif result.outcome is CallOutcome.FAILED:
            self._poll_soon = True  # unknown whether it landed: the next pump polls the order

    def modify(
        self,
        order: Order,
        quantity: float | None,
        limit_price: float | None,
        stop_price: float | None,
    ) -> None:
        track = self.tracker.track(order)
        if quantity is not None and not float(quantity).is_integer():
            self._later_event(order, _E.REJECT, "Alpaca replaces whole-share quantities only")
            return
        venue_id = track.current_id or self._find_id(track)
        if venue_id is None:
            self._later_event(order, _E.REJECT, "replace refused: the venue does not know it")
            return
        qty = None if quantity is None else int(quantity)
        request = ReplaceOrderRequest(qty=qty, limit_price=limit_price, stop_price=stop_price)
        result = self._call("replace", lambda: self._rest.replace(venue_id, request))
        if result.outcome is CallOutcome.DONE and result.value is not None:
            new = order_report(result.value, order.client_order_id)
            self.tracker.bind(track, new.venue_order_id, current=False)
            track.pending_terms[new.venue_order_id] = (
                new.quantity, new.limit_price, new.stop_price,
            )  # fmt: skip
        elif result.outcome is CallOutcome.AMBIGUOUS:
            self._ambiguous(order, Operation.REPLACE, result.error)
        else:
            self._later_event(order, _E.REJECT, self._why(result, "replace"))

    # -- the engine's loop -------------------------------------------------------------------
    def pump(self, timeout: float = 0.0) -> int:
        handled = 0
        wait: float | None = timeout if timeout > 0 else None
        while True:
            try:
                item = self._inbox.get(block=wait is not None, timeout=wait)
            except queue.Empty:
                break
            wait = None
            handled += 1
            if isinstance(item, TradeUpdate):
                self.updates.dispatch(item)
            else:
                item()
        self._maybe_poll()
        return handled

    def track(self, order: Order, venue_order_id: str | None = None) -> None:
        self.tracker.track(order, venue_order_id)

    def venue_order_id(self, client_order_id: str) -> str | None:
        """The venue id of the first order of the chain (what the state store keeps)."""
        track = self.tracker.tracks.get(client_order_id)
        return None if track is None else track.original_id

    # -- questions ---------------------------------------------------------------------------
    def lookup(self, client_order_id: str) -> VenueOrderReport | None:
        return self._get("query", lambda: self._rest.lookup(client_order_id))

    def missing_fills(self, order: Order, report: VenueOrderReport) -> list[VenueFillReport]:
        track = self.tracker.track(order, report.venue_order_id)
        fill = track.missing_fill(report)
        if fill is None:
            return []
        self.updates.booked(track, fill, polled=True)
        return [fill]

    def venue_book(self) -> VenueBook:
        cash, buying_power = self._get("get", self._rest.account)
        positions = self._get("get", self._rest.positions)
        listed = self._get("get", lambda: self._rest.orders(QueryOrderStatus.OPEN))
        listed += self._get("get", lambda: self._rest.orders(QueryOrderStatus.CLOSED))
        working, closed = logical_orders(listed, self.tracker.venue_ids())
        # Alpaca names crypto positions without the slash its orders use (BTCUSD, BTC/USD).
        slashed = {t.order.symbol.replace("/", ""): t.order.symbol
                   for t in self.tracker.tracks.values()}  # fmt: skip
        positions = {slashed.get(s, s): q for s, q in positions.items()}
        fills = self.tracker.executions()
        return VenueBook(positions, cash, buying_power, working, fills, closed)

    # -- polling -----------------------------------------------------------------------------
    def _maybe_poll(self) -> None:
        now, connected, losses = self.clock.now_ns(), self.stream_connected, self._losses
        if connected and losses == self._covered and not self._poll_soon:
            return
        interval = int(self.settings.poll_interval * 1e9)
        if not connected and self._last_poll is not None and now - self._last_poll < interval:
            return
        self._last_poll = now
        self.stats.polls += 1
        complete = True
        for track in [t for t in self.tracker.tracks.values() if t.order.status.is_working]:
            try:
                report = self.lookup(track.client_order_id)
            except VenueError:
                complete = False
                continue
            if report is not None:
                self.updates.apply_report(track, report)
        self._poll_soon = not complete
        if connected and complete:
            # Covers the losses counted before the poll began; one during it is polled again.
            self._covered = losses

    # -- calls -------------------------------------------------------------------------------
    def _call(self, name: str, fn: Callable[[], T]) -> CallResult[T]:
        result = call_with_policy(
            name, fn, self._sleep, self.clock.now_ns, rng=self._rng, policy=self._policy
        )
        self.calls.append(result)
        if result.outcome is not CallOutcome.DONE:
            log.warning("alpaca %s %s after %d attempt(s): %s", name, result.outcome,
                        result.attempts, result.error)  # fmt: skip
        return result

    def _get(self, name: str, fn: Callable[[], T]) -> T:
        """The value of a read; the call's error when it could not be had."""
        result = self._call(name, fn)
        if result.outcome is not CallOutcome.DONE:
            assert result.error is not None
            raise result.error
        return result.value  # type: ignore[return-value]  # DONE: fn's own return value

    def _get_quietly(self, fn: Callable[[], T]) -> T | None:
        result = self._call("get", fn)
        return result.value if result.outcome is CallOutcome.DONE else None

    def _fetch(self, venue_order_id: str, client_order_id: str) -> VenueOrderReport | None:
        venue = self._get_quietly(lambda: self._rest.by_id(venue_order_id))
        return None if venue is None else order_report(venue, client_order_id)

    def _query(self, client_order_id: str) -> VenueOrderReport | None:
        return self._get_quietly(lambda: self._rest.lookup(client_order_id))

    def _find_id(self, track: Track) -> str | None:
        report = self._query(track.client_order_id)
        if report is not None:
            self.tracker.bind(track, report.venue_order_id)
        return track.current_id

    def _later_event(self, order: Order, kind: OrderEventKind, reason: str) -> None:
        ts = self.clock.now_ns()
        self._inbox.put(lambda: self.listener.on_venue_event(order, kind, ts, reason))

    def _ambiguous(self, order: Order, operation: Operation, error: Exception | None) -> None:
        ts, detail = self.clock.now_ns(), f"no answer: {error}"
        self._inbox.put(lambda: self.listener.on_venue_ambiguous(order, operation, ts, detail))

    @staticmethod
    def _why(result: CallResult[Any], what: str) -> str:
        if result.outcome is CallOutcome.FAILED:
            return f"{what} not placed after {result.attempts} attempt(s): {result.error}"
        return str(result.error)
