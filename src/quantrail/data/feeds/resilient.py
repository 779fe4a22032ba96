"""ResilientFeed: reconnects, staleness, gap backfill and ordering around any transport.

The loop, per connection::

    connect(symbols) ──▶ receive payloads ──▶ record ──▶ parse ──▶ first trade of a symbol
         ▲                                                          since a drop? backfill
         │                                                          the hole, emit it first
         │                                                               │
         │                     watchdog every tick: a silent open symbol │ pipeline: dedupe,
         │                     means a dead socket ─────────┐            │ reorder, bars
         └── backoff (exp + jitter) ◀── close ◀── error ◀───┘            ▼
                                                                       queue ──▶ events()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from types import TracebackType

from quantrail.core.errors import DataError, RateLimited, VenueRejected
from quantrail.core.ports import Clock
from quantrail.data.feeds._aio import RETRYABLE, End, EventStream, race, retrying, sleep_unless
from quantrail.data.feeds.backoff import Backoff
from quantrail.data.feeds.bars import BarBuilder
from quantrail.data.feeds.events import (
    BackfillFn,
    FeedCounters,
    FeedEvent,
    IsOpenFn,
    SleepFn,
    Trade,
    Transport,
    TransportExhausted,
)
from quantrail.data.feeds.pipeline import FeedPipeline
from quantrail.data.feeds.recorder import Recorder
from quantrail.data.feeds.settings import FeedSettings
from quantrail.data.feeds.staleness import StalenessMonitor, always_open
from quantrail.runtime.clock import LiveClock

__all__ = ["RETRYABLE", "ResilientFeed"]

log = logging.getLogger(__name__)


class _Stale(Exception):
    def __init__(self, symbols: list[str]) -> None:
        super().__init__(f"no data for {', '.join(symbols)}")


class ResilientFeed:
    """A :class:`~quantrail.data.feeds.FeedClient` that survives a venue's bad days.

    Parameters
    ----------
    transport : Transport
        The adapter: one connection's raw messages.
    backfill : callable, optional
        ``await backfill(symbol, since_ns, until_ns) -> list[Trade]`` (REST); without it a
        detected gap is counted in ``backfill_failures`` and left open.
    settings : FeedSettings
        Backoff, staleness, reorder window, gap tolerance, timeouts.
    is_open : callable
        ``is_open(symbol, ts_ns)``: staleness is judged only while the session is open.
    clock : Clock
        Receive times, staleness and bar deadlines (default: the wall clock).
    sleep : callable
        Used for backoff waits and watchdog ticks (tests pass a virtual-time sleep).
    recorder : Recorder, optional
        Receives every raw payload, backfill answer and connection boundary.
    bar_builder : BarBuilder, optional
        Build bars from the emitted trades and emit them in the stream.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        backfill: BackfillFn | None = None,
        settings: FeedSettings | None = None,
        is_open: IsOpenFn = always_open,
        clock: Clock | None = None,
        sleep: SleepFn = asyncio.sleep,
        recorder: Recorder | None = None,
        bar_builder: BarBuilder | None = None,
    ) -> None:
        self.transport = transport
        self.settings = settings or FeedSettings()
        self.counters = FeedCounters()
        self._backfill_fn = backfill
        self._clock: Clock = clock or LiveClock()
        self._sleep = sleep
        self._recorder = recorder
        self._staleness = StalenessMonitor(self.settings.stale_after_s, is_open)
        self._pipeline = FeedPipeline(
            self.counters,
            reorder_window_ns=self.settings.reorder_window_ns,
            gap_tolerance_ns=self.settings.gap_tolerance_ns,
            sequential_ids=self.settings.sequential_ids,
            bar_builder=bar_builder,
            dedupe_memory=self.settings.dedupe_memory,
        )
        self._symbols: list[str] = []
        self._queue: asyncio.Queue[FeedEvent | End] = asyncio.Queue()
        self._closed = asyncio.Event()
        self._finished = asyncio.Event()
        self._running = False
        self._connected = False
        self._busy = False
        self._got_data = False
        self._task: asyncio.Task[None] | None = None

    @property
    def symbols(self) -> list[str]:
        """Subscribed symbols, in subscription order."""
        return list(self._symbols)

    def events(self) -> AsyncIterator[FeedEvent]:
        """Iterate over emitted events until the feed is closed (single consumer)."""
        return EventStream(self._queue)

    async def subscribe(self, symbols: Sequence[str]) -> None:
        """Add symbols; sent on the live connection now, and on every reconnect."""
        new = [s for s in dict.fromkeys(symbols) if s not in self._symbols]
        self._symbols.extend(new)
        now = self._clock.now_ns()
        self._staleness.add(new, now)
        if new and self._recorder is not None:
            self._recorder.write(now, self.source, "subscribe", symbols=new)
        if new and self._connected:
            try:
                await self.transport.subscribe(new)
            except RETRYABLE as exc:  # the receive loop sees the drop; reconnect resubscribes
                log.warning("subscribe %s failed (%s); will resubscribe on reconnect", new, exc)

    async def run(self) -> None:
        """Connect, stream and reconnect until :meth:`close`; see the module docstring."""
        if self._running:
            raise RuntimeError("this feed is already running")
        self._running = True
        backoff = Backoff(self.settings.backoff)
        error: BaseException | None = None
        try:
            while not self._closed.is_set():
                skip, reason = 0, "closed"
                self._got_data = False
                try:
                    await self._session()
                except TransportExhausted:
                    break
                except _Stale as exc:
                    self.counters.stale_timeouts += 1
                    reason = f"stale: {exc}"
                except RETRYABLE as exc:
                    skip = 1 if isinstance(exc, RateLimited) else 0
                    reason = f"{type(exc).__name__}: {exc}"
                finally:
                    await self._disconnect(reason)
                if self._closed.is_set():
                    break
                if self._got_data:
                    backoff.reset()
                delay = backoff.next_delay(skip)
                log.warning("%s feed lost (%s); retrying in %.2fs", self.source, reason, delay)
                await self._sleep_unless_closed(delay)
        except Exception as exc:
            error = exc  # handed to the consumer too, so it does not mistake it for the end
            raise
        finally:
            self._pipeline.finish(self._clock.now_ns())
            self._publish()
            self._queue.put_nowait(End(error))
            self._finished.set()

    @property
    def source(self) -> str:
        """The transport's name."""
        return self.transport.source

    async def close(self) -> None:
        """Stop: close the connection, emit what is held, end :meth:`events`."""
        self._closed.set()
        if self._running:
            await self._finished.wait()
        else:
            await self.transport.close()
            self._queue.put_nowait(End(None))

    async def __aenter__(self) -> ResilientFeed:
        self._task = asyncio.create_task(self.run())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
        if self._task is not None:
            task, self._task = self._task, None
            try:
                await task
            except Exception:
                if exc is None:
                    raise

    # --- one connection -------------------------------------------------------------------

    async def _session(self) -> None:
        symbols = list(self._symbols)
        await asyncio.wait_for(self.transport.connect(symbols), self.settings.connect_timeout_s)
        self._connected = True
        now = self._clock.now_ns()
        self.counters.connects += 1
        if self.counters.connects > 1:
            self.counters.reconnects += 1
        if self._recorder is not None:
            self._recorder.write(
                now, self.source, "connect", symbols=symbols, pipeline=self.settings.pipeline()
            )
        self._staleness.reset(self._symbols, now)
        waits = [self._receive_loop(), self._closed.wait()]
        if self.settings.tick_s is not None:
            waits.append(self._watchdog(self.settings.tick_s))
        await race(waits)

    async def _receive_loop(self) -> None:
        while True:
            payloads = await self.transport.receive()
            for payload in payloads:
                # Stamped per payload, after any backfill the previous one caused: the stamps
                # are what a replay feeds the pipeline, so they must be the ones used here.
                now = self._clock.now_ns()
                self.counters.messages += 1
                if self._recorder is not None:
                    self._recorder.write(now, self.source, "message", payload)
                for event in self.transport.parse(payload):
                    self._got_data = True
                    self._staleness.touch(event.symbol, now)
                    if isinstance(event, Trade):
                        gap = self._pipeline.gap_for(event)
                        if gap is not None:
                            await self._backfill(event.symbol, *gap)
                    self._pipeline.on_event(event, now)
                self._publish()

    async def _watchdog(self, tick_s: float) -> None:
        while True:
            await self._sleep(tick_s)
            if self._busy:
                continue  # a backfill holds the receive loop; silence is ours, not the venue's
            now = self._clock.now_ns()
            stale = self._staleness.check(now)
            if stale:
                raise _Stale(stale)
            self._pipeline.advance(now)
            self._publish()

    async def _backfill(self, symbol: str, since_ns: int, until_ns: int) -> None:
        """Fill ``symbol``'s hole before its newer trades; give up (counted) if impossible."""
        trades = None
        if self._backfill_fn is not None:
            fetch = self._backfill_fn
            self._busy = True
            try:
                trades = await retrying(
                    lambda: fetch(symbol, since_ns, until_ns),
                    attempts=self.settings.backfill_attempts,
                    policy=self.settings.backoff,
                    timeout_s=self.settings.backfill_timeout_s,
                    pause=self._sleep_unless_closed,
                    what=f"{self.source} backfill {symbol}",
                )
            except (VenueRejected, DataError) as exc:  # REST refused: the stream may go on
                log.error("%s: backfill refused: %s", symbol, exc)
            finally:
                self._busy = False
                self._staleness.touch_all(self._clock.now_ns())
        now = self._clock.now_ns()
        if trades is None:
            log.error("%s: gap %d..%d ns left unfilled", symbol, since_ns, until_ns)
            self._pipeline.abandon_gap(symbol)
        else:
            self._pipeline.on_backfill(symbol, trades, now)
        if self._recorder is not None:
            self._recorder.write_backfill(
                now, self.source, symbol, since_ns, until_ns, trades, failed=trades is None
            )

    async def _disconnect(self, reason: str) -> None:
        was_connected, self._connected = self._connected, False
        try:
            await self.transport.close()
        except Exception as exc:  # closing a dead socket may fail; it is gone either way
            log.warning("%s: error while closing: %s", self.source, exc)
        if not was_connected:
            return
        now = self._clock.now_ns()
        self.counters.disconnects += 1
        if self._recorder is not None:
            self._recorder.write(now, self.source, "disconnect", reason=reason)
        self._pipeline.on_disconnect(now, self._symbols)
        self._publish()

    async def _sleep_unless_closed(self, delay: float) -> None:
        await sleep_unless(self._closed, self._sleep, delay)

    def _publish(self) -> None:
        for event in self._pipeline.drain():
            self._queue.put_nowait(event)
