"""ccxt.pro trades: ``watch_trades`` per symbol as a transport, ``fetch_trades`` as backfill.

ccxt ships no type information, so the library is imported through ``importlib`` and met
by the narrow :class:`CcxtExchange` Protocol here, at the boundary.

Each connection is a fresh ``ccxt.pro`` exchange object: closing it is the only way to make
ccxt drop a socket that went silent, and a new object cannot inherit a broken one's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, cast

from quantrail.core.errors import RateLimited, VenueRejected, VenueUnavailable
from quantrail.data.feeds.events import Quote, Trade
from quantrail.data.feeds.parsers import parse_ccxt
from quantrail.data.feeds.resilient import ResilientFeed

__all__ = ["CcxtBackfill", "CcxtExchange", "CcxtTradeFeed", "CcxtTransport", "translate_error"]

_HOUR_MS = 3_600_000  # Binance and others refuse trade windows longer than an hour
_PAGE = 1000


class CcxtExchange(Protocol):
    """The part of a ``ccxt.pro`` exchange object the feed uses."""

    async def load_markets(self) -> Any: ...

    async def watch_trades(self, symbol: str) -> list[dict[str, Any]]: ...

    async def fetch_trades(
        self, symbol: str, since: int | None, limit: int | None, params: dict[str, Any]
    ) -> list[dict[str, Any]]: ...

    async def close(self) -> Any: ...


def _errors() -> Any:
    return importlib.import_module("ccxt.base.errors")


def translate_error(exc: BaseException) -> BaseException:
    """Map a ccxt error onto quantrail's tree; anything else is returned unchanged.

    Rate limits (``RateLimitExceeded``, ``DDoSProtection``) become
    :class:`~quantrail.core.errors.RateLimited`, other network errors
    :class:`~quantrail.core.errors.VenueUnavailable` and exchange errors (bad symbol,
    authentication) :class:`~quantrail.core.errors.VenueRejected`.
    """
    errors = _errors()
    if isinstance(exc, errors.RateLimitExceeded | errors.DDoSProtection):
        return RateLimited(str(exc))
    if isinstance(exc, errors.NetworkError):
        return VenueUnavailable(str(exc))
    if isinstance(exc, errors.ExchangeError):
        return VenueRejected(str(exc))
    return exc


def pro_exchange(exchange_id: str, config: Mapping[str, Any] | None = None) -> CcxtExchange:
    """A new ``ccxt.pro.<exchange_id>(config)``."""
    cls = getattr(importlib.import_module("ccxt.pro"), exchange_id)
    return cast(CcxtExchange, cls(dict(config or {})))


class CcxtTransport:
    """One set of ``watch_trades`` loops on a fresh exchange object.

    A loop per symbol puts each batch of new trades (unified ccxt dicts, the raw payloads)
    on a queue; the first error a loop meets is raised from :meth:`receive`.
    """

    def __init__(self, exchange_id: str, factory: Callable[[], CcxtExchange]) -> None:
        self.source = f"ccxt:{exchange_id}"
        self._factory = factory
        self._exchange: CcxtExchange | None = None
        self._loops: dict[str, asyncio.Task[None]] = {}
        self._queue: asyncio.Queue[list[dict[str, Any]] | BaseException] = asyncio.Queue()

    async def connect(self, symbols: Sequence[str]) -> None:
        """Create the exchange object, load its markets and start watching ``symbols``."""
        self._queue = asyncio.Queue()
        self._exchange = self._factory()
        try:
            await self._exchange.load_markets()
        except Exception as exc:
            raise translate_error(exc) from exc
        await self.subscribe(symbols)

    async def subscribe(self, symbols: Sequence[str]) -> None:
        """Start a watch loop for each new symbol (ccxt subscribes on the first watch)."""
        for symbol in symbols:
            if symbol not in self._loops:
                self._loops[symbol] = asyncio.create_task(self._watch(symbol))

    async def _watch(self, symbol: str) -> None:
        exchange = self._exchange
        assert exchange is not None
        try:
            while True:
                self._queue.put_nowait(await exchange.watch_trades(symbol))
        except Exception as exc:
            self._queue.put_nowait(exc)

    async def receive(self) -> Sequence[Any]:
        """The next batch of trades from any symbol."""
        item = await self._queue.get()
        if isinstance(item, BaseException):
            raise translate_error(item) from item
        return item

    def parse(self, payload: Any) -> Sequence[Trade | Quote]:
        """See :func:`~quantrail.data.feeds.parsers.parse_ccxt`."""
        return parse_ccxt(payload)

    async def close(self) -> None:
        """Stop the loops and close the exchange object's sockets and HTTP session."""
        loops, self._loops = list(self._loops.values()), {}
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        exchange, self._exchange = self._exchange, None
        if exchange is not None:
            with contextlib.suppress(Exception):  # closing a broken client may raise; it is gone
                await exchange.close()


class CcxtBackfill:
    """``await backfill(symbol, since_ns, until_ns)`` with ``fetch_trades``, paging by time.

    Windows are cut to an hour and pages of 1000 are followed from the last trade's
    millisecond, so an answer is complete however long the gap; repeats at page edges are
    dropped by the feed like any duplicate.
    """

    def __init__(self, factory: Callable[[], CcxtExchange]) -> None:
        self._factory = factory
        self._exchange: CcxtExchange | None = None

    async def __call__(self, symbol: str, since_ns: int, until_ns: int) -> list[Trade]:
        if self._exchange is None:
            self._exchange = self._factory()
        exchange = self._exchange
        until_ms = -(-until_ns // 1_000_000)
        cursor = since_ns // 1_000_000
        out: list[Trade] = []
        try:
            while cursor <= until_ms:
                window_end = min(until_ms, cursor + _HOUR_MS - 1)
                page = await exchange.fetch_trades(symbol, cursor, _PAGE, {"until": window_end})
                for raw in page:
                    out.extend(t for t in parse_ccxt(raw) if isinstance(t, Trade))
                if len(page) < _PAGE:
                    cursor = window_end + 1
                else:  # a full page: continue from its last millisecond, never stand still
                    cursor = max(cursor + 1, int(page[-1]["timestamp"]))
        except Exception as exc:
            raise translate_error(exc) from exc
        return [t for t in out if since_ns <= t.ts_ns <= until_ns + 999_999]

    async def close(self) -> None:
        """Close the REST exchange object (idempotent)."""
        exchange, self._exchange = self._exchange, None
        if exchange is not None:
            await exchange.close()


class CcxtTradeFeed(ResilientFeed):
    """Resilient trade feed for any ccxt.pro exchange with ``watch_trades``.

    Parameters
    ----------
    exchange_id : str
        ccxt id (``"binance"``, ``"kraken"``...); symbols are ccxt's unified ones
        (``"BTC/USDT"``).
    config : mapping, optional
        Passed to the exchange constructor (keys, ``urls`` of an emulator, options).
    factory : callable, optional
        Builds the exchange objects instead (tests); default ``ccxt.pro.<id>(config)``.
    **kwargs
        Passed to :class:`~quantrail.data.feeds.ResilientFeed`.
    """

    def __init__(
        self,
        exchange_id: str,
        config: Mapping[str, Any] | None = None,
        *,
        factory: Callable[[], CcxtExchange] | None = None,
        **kwargs: Any,
    ) -> None:
        make = factory or (lambda: pro_exchange(exchange_id, config))
        self.rest = CcxtBackfill(make)
        super().__init__(CcxtTransport(exchange_id, make), backfill=self.rest, **kwargs)

    async def close(self) -> None:
        """Close the stream, then the REST exchange object."""
        try:
            await super().close()
        finally:
            await self.rest.close()
