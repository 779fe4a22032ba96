"""Alpaca trades: a websocket transport speaking Alpaca's protocol, REST backfill via alpaca-py.

Why the stream is not alpaca-py's ``StockDataStream``/``CryptoDataStream``: their ``run()``
owns an event loop and a private reconnect loop (``_run_forever``) that hides every drop, so
no gap could be detected and backfilled; stopping is polled every 5 s through a thread queue;
subscribing while connected blocks on ``run_coroutine_threadsafe(...).result()``, which
deadlocks when called from the loop itself; and the module imports the deprecated
``websockets.legacy``. Driving it from asyncio would mean calling its private methods. The
documented protocol is short, so :class:`AlpacaTransport` speaks it with ``websockets``
(JSON frames, Alpaca's default) and :class:`~quantrail.data.feeds.ResilientFeed` owns
reconnects. Backfill uses alpaca-py's historical clients, which are synchronous, in a
worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from quantrail.core.errors import RateLimited, VenueRejected, VenueUnavailable
from quantrail.core.time import NANOS_PER_SECOND
from quantrail.data.feeds.events import Quote, Trade
from quantrail.data.feeds.parsers import parse_alpaca, parse_rfc3339_ns
from quantrail.data.feeds.resilient import ResilientFeed

with warnings.catch_warnings():
    # alpaca-py's package import pulls in websockets.legacy (deprecated upstream) for its own
    # stream classes, which quantrail does not use.
    warnings.filterwarnings("ignore", "websockets.legacy", DeprecationWarning)
    from alpaca.common.exceptions import APIError
    from alpaca.data.historical import CryptoHistoricalDataClient, StockHistoricalDataClient
    from alpaca.data.requests import CryptoTradesRequest, StockTradesRequest

__all__ = ["AlpacaBackfill", "AlpacaTradeFeed", "AlpacaTransport"]

log = logging.getLogger(__name__)

STOCK_STREAM_URL = "wss://stream.data.alpaca.markets/v2/iex"
CRYPTO_STREAM_URL = "wss://stream.data.alpaca.markets/v1beta3/crypto/us"
# Stream error codes Alpaca documents as final (auth, plan, limits); others are retried
# (404 auth timeout, 406 connection limit, 407 slow client, 500 internal).
_FATAL_CODES = frozenset({401, 402, 403, 405, 409})


def _error(message: Mapping[str, Any]) -> VenueUnavailable | VenueRejected:
    """Alpaca error frame -> retry (unavailable) or stop (rejected: credentials, plan)."""
    code = int(message.get("code", 0))
    text = f"alpaca stream error {code}: {message.get('msg')}"
    return VenueRejected(text) if code in _FATAL_CODES else VenueUnavailable(text)


class AlpacaTransport:
    """One Alpaca market-data websocket session, subscribed to trades.

    Parameters
    ----------
    url : str
        Stream endpoint (``.../v2/iex``, ``.../v2/sip`` or ``.../v1beta3/crypto/us``).
    api_key, secret_key : str
        Credentials sent in the ``auth`` action.
    connect_options : mapping, optional
        Extra keyword arguments for ``websockets.asyncio.client.connect``.
    """

    source = "alpaca"

    def __init__(
        self,
        url: str,
        api_key: str,
        secret_key: str,
        connect_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.url = url
        self._key, self._secret = api_key, secret_key
        # A dead peer must not hold close() for websockets' default 10 s.
        self._options: dict[str, Any] = {"close_timeout": 1.0, **(connect_options or {})}
        self._ws: ClientConnection | None = None

    async def _expect(self, ws: ClientConnection, what: str) -> None:
        for message in json.loads(await ws.recv()):
            if message.get("T") == "error":
                raise _error(message)
            if message.get("T") == "success" and message.get("msg") == what:
                return
        raise VenueUnavailable(f"alpaca stream: expected {what!r}")

    async def connect(self, symbols: Sequence[str]) -> None:
        """Connect, authenticate and subscribe to the trades of ``symbols``."""
        try:
            self._ws = await connect(self.url, **self._options)
            await self._expect(self._ws, "connected")
            auth = {"action": "auth", "key": self._key, "secret": self._secret}
            await self._ws.send(json.dumps(auth))
            await self._expect(self._ws, "authenticated")
            if symbols:
                await self.subscribe(symbols)
        except (ConnectionClosed, InvalidHandshake, OSError) as exc:
            raise VenueUnavailable(f"alpaca stream connect failed: {exc}") from exc

    async def subscribe(self, symbols: Sequence[str]) -> None:
        """Subscribe the open session to more trades (the answer is a control message)."""
        if self._ws is None:
            raise VenueUnavailable("alpaca stream is not connected")
        try:
            await self._ws.send(json.dumps({"action": "subscribe", "trades": list(symbols)}))
        except ConnectionClosed as exc:
            raise VenueUnavailable(f"alpaca stream closed: {exc}") from exc

    async def receive(self) -> Sequence[Any]:
        """The messages of the next frame (data and control alike, all recorded)."""
        if self._ws is None:
            raise VenueUnavailable("alpaca stream is not connected")
        try:
            frame = await self._ws.recv()
        except ConnectionClosed as exc:
            raise VenueUnavailable(f"alpaca stream closed: {exc}") from exc
        messages = json.loads(frame)
        messages = messages if isinstance(messages, list) else [messages]
        for message in messages:
            if isinstance(message, dict) and message.get("T") == "error":
                error = _error(message)
                if isinstance(error, VenueRejected) or int(message.get("code", 0)) != 400:
                    raise error
                log.warning("%s", error)  # 400: a refused symbol; the others stream on
        return list(messages)

    def parse(self, payload: Any) -> Sequence[Trade | Quote]:
        """See :func:`~quantrail.data.feeds.parsers.parse_alpaca`."""
        return parse_alpaca(payload)

    async def close(self) -> None:
        """Close the socket (idempotent)."""
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()


def _utc(ns: int, ceil: bool = False) -> dt.datetime:
    seconds, rest = divmod(ns, NANOS_PER_SECOND)
    micros = -(-rest // 1000) if ceil else rest // 1000  # widen, never narrow, the window
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) + dt.timedelta(microseconds=micros)


class AlpacaBackfill:
    """``await backfill(symbol, since_ns, until_ns)`` through alpaca-py's historical client.

    The client runs in a worker thread (it is synchronous). It is created with
    ``raw_data=True`` so that trade times keep Alpaca's nanoseconds (its models stop at
    microseconds, which would reorder trades against the stream's). HTTP 429 raises
    :class:`~quantrail.core.errors.RateLimited` and 5xx
    :class:`~quantrail.core.errors.VenueUnavailable`, which the feed retries; other API
    errors raise :class:`~quantrail.core.errors.VenueRejected`. alpaca-py itself first
    retries a 429 up to 3 times, 3 s apart, inside the thread.
    """

    def __init__(
        self,
        api_key: str | None,
        secret_key: str | None,
        *,
        crypto: bool = False,
        url: str | None = None,
    ) -> None:
        self.crypto = crypto
        self._client: StockHistoricalDataClient | CryptoHistoricalDataClient
        if crypto:
            self._client = CryptoHistoricalDataClient(
                api_key, secret_key, raw_data=True, url_override=url
            )
        else:
            self._client = StockHistoricalDataClient(
                api_key, secret_key, raw_data=True, url_override=url
            )

    def _fetch(self, symbol: str, since_ns: int, until_ns: int) -> list[Trade]:
        start, end = _utc(since_ns), _utc(until_ns, ceil=True)
        try:
            if isinstance(self._client, CryptoHistoricalDataClient):
                raw = self._client.get_crypto_trades(
                    CryptoTradesRequest(symbol_or_symbols=symbol, start=start, end=end)
                )
            else:
                raw = self._client.get_stock_trades(
                    StockTradesRequest(symbol_or_symbols=symbol, start=start, end=end)
                )
        except APIError as exc:
            status = exc.status_code
            if status == 429:
                raise RateLimited(f"alpaca trades {symbol}: HTTP 429") from exc
            if status is not None and status >= 500:
                raise VenueUnavailable(f"alpaca trades {symbol}: HTTP {status}") from exc
            raise VenueRejected(f"alpaca trades {symbol}: {exc}") from exc
        except OSError as exc:  # requests' ConnectionError is an OSError
            raise VenueUnavailable(f"alpaca trades {symbol}: {exc}") from exc
        assert isinstance(raw, dict)
        items = raw.get(symbol, [])
        return [
            Trade(
                symbol,
                parse_rfc3339_ns(str(item["t"])),
                float(item["p"]),
                float(item["s"]),
                None if item.get("i") is None else str(item["i"]),
            )
            for item in items
        ]

    async def __call__(self, symbol: str, since_ns: int, until_ns: int) -> list[Trade]:
        return await asyncio.to_thread(self._fetch, symbol, since_ns, until_ns)

    def close(self) -> None:
        """Close the client's HTTP connections.

        alpaca-py has no public close; its ``requests`` session is the private ``_session``.
        Left open, its sockets are reported unclosed when collected.
        """
        session = getattr(self._client, "_session", None)
        if session is not None:
            session.close()


class AlpacaTradeFeed(ResilientFeed):
    """Resilient Alpaca trade feed (stocks or crypto) with REST gap backfill.

    Parameters
    ----------
    api_key, secret_key : str
        Alpaca credentials (crypto REST works without; the stream needs them).
    crypto : bool
        Crypto feed (``BTC/USD`` symbols) instead of stocks.
    stream_url, rest_url : str, optional
        Overrides of the endpoints (an emulator, SIP instead of IEX).
    **kwargs
        Passed to :class:`~quantrail.data.feeds.ResilientFeed` (settings, clock, recorder...).
        Alpaca trade ids are not consecutive per symbol, so ``sequential_ids`` stays off.
    """

    def __init__(
        self,
        api_key: str,
        secret_key: str,
        *,
        crypto: bool = False,
        stream_url: str | None = None,
        rest_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        url = stream_url or (CRYPTO_STREAM_URL if crypto else STOCK_STREAM_URL)
        self.rest = AlpacaBackfill(api_key, secret_key, crypto=crypto, url=rest_url)
        super().__init__(AlpacaTransport(url, api_key, secret_key), backfill=self.rest, **kwargs)

    async def close(self) -> None:
        """Close the stream, then the REST client."""
        try:
            await super().close()
        finally:
            self.rest.close()
