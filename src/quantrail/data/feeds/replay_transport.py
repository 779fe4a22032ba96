"""Playing a recording's entries as a transport, paced by the recorded receive times."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any

from quantrail.core.errors import VenueUnavailable
from quantrail.core.time import NANOS_PER_SECOND
from quantrail.data.feeds.events import Quote, SleepFn, Trade, TransportExhausted, trade_from_dict
from quantrail.data.feeds.parsers import Parser, parser_for
from quantrail.data.feeds.recorder import RecordEntry
from quantrail.runtime.clock import SimulatedClock

__all__ = ["Pacer", "ReplayTransport"]

_LOOKAHEAD = 100_000  # entries searched for a backfill answer; it follows its trigger closely


class Pacer:
    """Sleeps the recorded time between two entries divided by ``speed``; moves the clock."""

    def __init__(self, clock: SimulatedClock, sleep: SleepFn, speed: float) -> None:
        if math.isnan(speed) or speed < 0:
            raise ValueError(f"replay speed must be >= 0 (0 = as fast as possible), got {speed}")
        self.clock, self._sleep, self._speed = clock, sleep, speed
        self._last: int | None = None

    async def wait_until(self, ts_ns: int) -> None:
        paced = self._speed > 0 and not math.isinf(self._speed)
        if paced and self._last is not None and ts_ns > self._last:
            await self._sleep((ts_ns - self._last) / NANOS_PER_SECOND / self._speed)
        self._last = ts_ns if self._last is None else max(self._last, ts_ns)
        self.clock.ts = max(self.clock.ts, ts_ns)


class ReplayTransport:
    """Plays a recording's entries as if they came from the venue, for a ResilientFeed.

    ``disconnect`` entries raise :class:`~quantrail.core.errors.VenueUnavailable`, and
    :meth:`backfill` answers from the recorded ``backfill`` entries, so the feed reconnects
    and fills gaps where the live session did and emits the same events.
    """

    source = "replay"

    def __init__(
        self,
        entries: Iterator[RecordEntry],
        pacer: Pacer,
        parsers: Mapping[str, Parser] | None = None,
        symbols: Sequence[str] | None = None,
    ) -> None:
        self._entries = entries
        self._ahead: deque[RecordEntry] = deque()
        self._pacer = pacer
        self._parsers = parsers
        self._only = None if symbols is None else frozenset(symbols)
        self.on_symbols: Callable[[list[str]], Awaitable[None]] | None = None

    def _peek(self) -> RecordEntry | None:
        if not self._ahead:
            entry = next(self._entries, None)
            if entry is None:
                return None
            self._ahead.append(entry)
        return self._ahead[0]

    async def connect(self, symbols: Sequence[str]) -> None:
        if self._peek() is None:
            raise TransportExhausted

    async def subscribe(self, symbols: Sequence[str]) -> None:
        return None

    async def receive(self) -> Sequence[Any]:
        while (entry := self._peek()) is not None:
            self._ahead.popleft()
            if entry.kind == "backfill":
                continue  # answer to a gap this replay did not see (filtered symbols)
            await self._pacer.wait_until(entry.recv_ns)
            if entry.kind in ("connect", "subscribe"):
                if self.on_symbols is not None:
                    await self.on_symbols(list(entry.detail.get("symbols", [])))
                continue
            if entry.kind == "disconnect":
                raise VenueUnavailable(f"recorded disconnect: {entry.detail.get('reason')}")
            return [(entry.source, entry.payload)]
        raise TransportExhausted

    def parse(self, payload: Any) -> Sequence[Trade | Quote]:
        source, raw = payload
        events = parser_for(source, self._parsers)(raw)
        return [e for e in events if self._only is None or e.symbol in self._only]

    async def backfill(self, symbol: str, since_ns: int, until_ns: int) -> list[Trade]:
        """The next recorded backfill answer for ``symbol`` (empty when there is none)."""
        for index in range(_LOOKAHEAD):
            if index == len(self._ahead):
                entry = next(self._entries, None)
                if entry is None:
                    break
                self._ahead.append(entry)
            entry = self._ahead[index]
            if entry.kind == "backfill" and entry.detail.get("symbol") == symbol:
                del self._ahead[index]
                await self._pacer.wait_until(entry.recv_ns)
                if entry.detail.get("failed"):
                    raise VenueUnavailable(f"recorded backfill failure for {symbol}")
                return [trade_from_dict(t) for t in entry.payload or []]
        return []

    async def close(self) -> None:
        return None  # a recorded disconnect closes nothing: the recording goes on

    def finish(self) -> None:
        """Release the recording file (the replay is over or was stopped)."""
        close = getattr(self._entries, "close", None)
        if close is not None:
            close()
        self._ahead.clear()
