"""Normalised feed events, the counters, and the Protocols a feed and its transport implement."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol

from quantrail.core.bar import Bar

__all__ = [
    "BackfillFn",
    "FeedClient",
    "FeedCounters",
    "FeedEvent",
    "IsOpenFn",
    "Quote",
    "SleepFn",
    "Trade",
    "Transport",
    "TransportExhausted",
    "event_to_dict",
    "trade_from_dict",
]


@dataclass(frozen=True, slots=True)
class Trade:
    """One trade print as the venue reported it, normalised.

    Attributes
    ----------
    symbol : str
        The instrument as subscribed (``"AAPL"``, ``"BTC/USD"``).
    ts_ns : int
        UTC nanoseconds at which the venue says the trade happened (exchange time).
    price, size : float
        Trade price and quantity.
    trade_id : str or None
        The venue's trade id when it sends one; used to drop duplicates.
    """

    symbol: str
    ts_ns: int
    price: float
    size: float
    trade_id: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Top of book at ``ts_ns`` (UTC nanoseconds, exchange time)."""

    symbol: str
    ts_ns: int
    bid: float
    ask: float
    bid_size: float
    ask_size: float


FeedEvent = Trade | Quote | Bar
"""What a feed emits: trades and quotes from the venue, bars built from trades or replayed."""


def trade_from_dict(data: dict[str, Any]) -> Trade:
    """Rebuild a :class:`Trade` from ``dataclasses.asdict`` output (recordings store that form)."""
    trade_id = data.get("trade_id")
    return Trade(
        symbol=str(data["symbol"]),
        ts_ns=int(data["ts_ns"]),
        price=float(data["price"]),
        size=float(data["size"]),
        trade_id=None if trade_id is None else str(trade_id),
    )


@dataclass(slots=True)
class FeedCounters:
    """Monotonic counters a monitor can scrape; every field starts at 0 and only grows.

    Attributes
    ----------
    connects : int
        Successful connections, the first one included.
    reconnects : int
        Successful connections after the first.
    disconnects : int
        Connections lost for any reason (error, drop, staleness).
    stale_timeouts : int
        Connections closed because an open instrument was silent too long.
    gaps_detected : int
        Symbols whose first trade after a reconnect left a possible hole.
    backfilled : int
        Trades emitted from backfill responses (after dropping duplicates).
    backfill_failures : int
        Gaps that could not be filled after every retry (the hole stays; see the log).
    duplicates_dropped : int
        Trades dropped because the same trade was already seen.
    late_dropped : int
        Trades and quotes dropped because newer data for the symbol had been emitted.
    messages : int
        Raw payloads received from the transport.
    trades_emitted, quotes_emitted, bars_emitted : int
        Events handed to the consumer.
    """

    connects: int = 0
    reconnects: int = 0
    disconnects: int = 0
    stale_timeouts: int = 0
    gaps_detected: int = 0
    backfilled: int = 0
    backfill_failures: int = 0
    duplicates_dropped: int = 0
    late_dropped: int = 0
    messages: int = 0
    trades_emitted: int = 0
    quotes_emitted: int = 0
    bars_emitted: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counters as a plain dict (for logging and metrics exporters)."""
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}


class TransportExhausted(Exception):
    """Raised by :meth:`Transport.receive` or ``connect`` when the source has ended for good.

    Live venues never raise it; a replay does at the end of its recording, and the feed then
    finishes normally instead of reconnecting.
    """


IsOpenFn = Callable[[str, int], bool]
"""``is_open(symbol, ts_ns)``: whether the instrument's session is open at ``ts_ns``."""
BackfillFn = Callable[[str, int, int], Awaitable[list[Trade]]]
"""``await backfill(symbol, since_ns, until_ns)``: trades with ``since_ns <= ts <= until_ns``."""
SleepFn = Callable[[float], Awaitable[None]]
"""``await sleep(seconds)``; ``asyncio.sleep`` live, a virtual-time sleep in tests."""


class Transport(Protocol):
    """What an adapter implements: one connection's raw messages, nothing resilient.

    :class:`~quantrail.data.feeds.ResilientFeed` owns reconnects, staleness, gaps, duplicates
    and ordering; a transport only connects, receives and parses. Errors that mean "the
    connection is gone, try again" must be raised as
    :class:`~quantrail.core.errors.VenueUnavailable` (or ``ConnectionError``/``OSError``);
    anything else stops the feed.
    """

    @property
    def source(self) -> str:
        """Name written to recordings; replay picks the parser by it (``"alpaca"``, ...)."""
        ...

    async def connect(self, symbols: Sequence[str]) -> None:
        """Open a connection and subscribe to ``symbols``."""
        ...

    async def subscribe(self, symbols: Sequence[str]) -> None:
        """Add ``symbols`` on the open connection."""
        ...

    async def receive(self) -> Sequence[Any]:
        """Wait for the next raw payloads (JSON-serialisable, one per venue message)."""
        ...

    def parse(self, payload: Any) -> Sequence[Trade | Quote]:
        """Normalise one raw payload; control messages give an empty list."""
        ...

    async def close(self) -> None:
        """Close the connection; must be safe to call twice or when never connected."""
        ...


class FeedClient(Protocol):
    """A source of live or replayed events that the engine consumes.

    Typical use::

        async with feed:                    # starts run() in the background
            async for event in feed.events():
                ...
    """

    async def run(self) -> None:
        """Produce events until :meth:`close`; returns when the feed is finished."""
        ...

    def events(self) -> AsyncIterator[FeedEvent]:
        """Iterate over emitted events; ends after :meth:`close` once the backlog is read."""
        ...

    async def subscribe(self, symbols: Sequence[str]) -> None:
        """Add instruments to the feed (before or while running)."""
        ...

    async def close(self) -> None:
        """Stop producing events and release connections."""
        ...


def event_to_dict(event: Trade | Quote) -> dict[str, Any]:
    """Plain-dict form of a trade or quote (used by recordings and the CLI)."""
    return asdict(event)
