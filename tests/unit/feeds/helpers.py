"""Test doubles for the feeds: virtual time and a scripted in-memory transport."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from quantrail.core.bar import Bar
from quantrail.core.errors import VenueUnavailable
from quantrail.data.feeds import FeedEvent, Quote, Trade
from quantrail.data.feeds.parsers import parse_normalised

S = 1_000_000_000


class VirtualTime:
    """A clock and a sleep under which time only moves when the test advances it.

    ``advance`` lets every task run until all of them wait, wakes the sleepers whose
    deadline falls within the step in deadline order, and repeats; so a schedule of
    backoffs and watchdog ticks plays out exactly, in no real time.
    """

    def __init__(self, start_ns: int = 1_000 * S) -> None:
        self.now = start_ns
        self._sleepers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = 0
        self.slept: list[float] = []

    def now_ns(self) -> int:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seq += 1
        heapq.heappush(self._sleepers, (self.now + round(seconds * S), self._seq, future))
        await future

    @staticmethod
    async def settle() -> None:
        for _ in range(50):
            await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        target = self.now + round(seconds * S)
        while True:
            await self.settle()
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled sleeper
            if not self._sleepers or self._sleepers[0][0] > target:
                break
            deadline, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, deadline)
            future.set_result(None)
        self.now = target
        await self.settle()


class ScriptedTransport:
    """A transport fed by the test: ``push`` payloads, ``drop`` the connection."""

    source = "normalised"

    def __init__(self, fail_connects: int = 0) -> None:
        self.fail_connects = fail_connects
        self.connect_calls: list[tuple[int, list[str]]] = []
        self.subscribed: list[list[str]] = []
        self.connected = False
        self.closes = 0
        self.clock: VirtualTime | None = None
        self._queue: asyncio.Queue[list[Any] | BaseException] = asyncio.Queue()

    async def connect(self, symbols: Sequence[str]) -> None:
        now = self.clock.now if self.clock is not None else 0
        self.connect_calls.append((now, list(symbols)))
        if self.fail_connects > 0:
            self.fail_connects -= 1
            raise VenueUnavailable("refused")
        self._queue = asyncio.Queue()
        self.connected = True

    async def subscribe(self, symbols: Sequence[str]) -> None:
        self.subscribed.append(list(symbols))

    async def receive(self) -> Sequence[Any]:
        item = await self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def parse(self, payload: Any) -> Sequence[Trade | Quote]:
        return parse_normalised(payload)

    async def close(self) -> None:
        self.closes += 1
        self.connected = False

    def push(self, *events: Trade | Quote) -> None:
        self._queue.put_nowait([asdict(e) for e in events])

    def drop(self, error: BaseException | None = None) -> None:
        self._queue.put_nowait(error or VenueUnavailable("connection reset"))


class History:
    """The venue's trade history, served as a backfill callable."""

    def __init__(self) -> None:
        self.trades: list[Trade] = []
        self.calls: list[tuple[str, int, int]] = []
        self.failures: list[BaseException] = []

    async def backfill(self, symbol: str, since_ns: int, until_ns: int) -> list[Trade]:
        self.calls.append((symbol, since_ns, until_ns))
        if self.failures:
            raise self.failures.pop(0)
        return [t for t in self.trades if t.symbol == symbol and since_ns <= t.ts_ns <= until_ns]


def trade(
    symbol: str, sec: float, price: float = 100.0, size: float = 1.0, tid: Any = None
) -> Trade:
    return Trade(symbol, round(sec * S), price, size, None if tid is None else str(tid))


def describe(event: FeedEvent) -> tuple[Any, ...]:
    """Comparable form of any event (Bar is not a dataclass)."""
    if isinstance(event, Bar):
        return (
            "bar",
            event.symbol,
            event.ts,
            event.ts_open,
            event.open,
            event.high,
            event.low,
            event.close,
            event.volume,
            event.session,
        )
    return (type(event).__name__.lower(), *asdict(event).values())


def drain(queue_events: list[FeedEvent]) -> list[tuple[Any, ...]]:
    return [describe(e) for e in queue_events]


class Collector:
    """Consumes a feed's events in the background into ``items``."""

    def __init__(self, feed: Any) -> None:
        self.items: list[FeedEvent] = []
        self.error: BaseException | None = None
        self.task = asyncio.create_task(self._run(feed))

    async def _run(self, feed: Any) -> None:
        try:
            async for event in feed.events():
                self.items.append(event)
        except Exception as exc:
            self.error = exc

    def trades(self) -> list[Trade]:
        return [e for e in self.items if isinstance(e, Trade)]
