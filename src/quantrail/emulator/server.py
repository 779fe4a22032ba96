"""The emulator: one aiohttp server on 127.0.0.1 serving Alpaca and Binance side by side."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from aiohttp import web

from quantrail.emulator._http import CONTEXT_KEY, RestContext, log_requests
from quantrail.emulator._thread import EmulatorHandle
from quantrail.emulator._wire import BarEvent, QuoteEvent, TradeEvent
from quantrail.emulator.alpaca_rest import add_alpaca_rest_routes
from quantrail.emulator.alpaca_stream import alpaca_stream_handler
from quantrail.emulator.binance_rest import add_binance_rest_routes, parse_binance_interval
from quantrail.emulator.binance_stream import binance_stream_handler
from quantrail.emulator.connection import StreamHub
from quantrail.emulator.faults import FaultPlan, FaultState
from quantrail.emulator.script import MarketScript
from quantrail.emulator.stats import EmulatorStats
from quantrail.emulator.trading_setup import TradingSetup
from quantrail.emulator.trading_venue import TradingVenue
from quantrail.runtime.clock import LiveClock

__all__ = ["VenueEmulator", "ccxt_config_for"]


def ccxt_config_for(base_url: str) -> dict[str, Any]:
    """ccxt ``binance`` config for an emulator at ``base_url`` (``http://127.0.0.1:PORT``).

    Only spot markets are loaded (one request to ``exchangeInfo``) and currencies come from
    the markets, as ccxt does without API keys; the websocket base ends in ``/stream/ws``
    because ccxt.pro tells spot from futures by the ``/stream`` in the URL.
    """
    rest = f"{base_url}/api/v3"
    ws = base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/stream/ws"
    return {
        "urls": {
            "api": {
                "public": rest,
                "private": rest,
                "v1": f"{base_url}/api/v1",
                "ws": {"spot": ws, "margin": ws},
            },
        },
        "options": {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False},
        "enableRateLimit": True,
    }


class VenueEmulator:
    """Alpaca market data (REST + stream) and Binance spot (REST + stream) on one local port.

    Use as ``async with VenueEmulator(script=..., faults=...) as emu:``; or, from synchronous
    code, ``handle = VenueEmulator.start_in_thread(...)`` and ``handle.stop()``.

    Parameters
    ----------
    script : MarketScript, optional
        The data served and replayed. Default: an empty market (push messages from tests).
    faults : FaultPlan, optional
        Faults to inject. Default: none.
    host, port : str, int
        Where to listen. ``port=0`` picks a free port; read it back from ``emu.port``.
    max_page_size : int, optional
        Cap on REST page sizes below the venues' own (10,000 Alpaca, 1,000 Binance), so that
        small data sets still span several pages.
    api_key, api_secret : str, optional
        When given, only these Alpaca credentials are accepted; otherwise any non-empty pair.
    trading : TradingSetup, optional
        Also serve Alpaca's trading API and trade-updates stream (``emu.trading``).
    """

    ccxt_exchange_id = "binance"

    def __init__(
        self,
        script: MarketScript | None = None,
        faults: FaultPlan | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_page_size: int | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        trading: TradingSetup | None = None,
    ) -> None:
        self.script = script if script is not None else MarketScript()
        self.faults = faults if faults is not None else FaultPlan()
        self.host = host
        self._requested_port = port
        self._max_page_size = max_page_size
        self._api_key, self._api_secret = api_key, api_secret
        self._clock = LiveClock()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._trade_ids = 0
        self.stats = EmulatorStats()
        self._state = FaultState(self.faults)
        self._hub = StreamHub(self._state, self.stats, api_key, api_secret)
        self.trading = (
            None if trading is None else TradingVenue(trading, self.script, api_key, api_secret)
        )

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving."""
        if self._runner is not None:
            return
        app = web.Application(middlewares=[log_requests])
        ctx = RestContext(
            self.script,
            self._state,
            self.stats,
            self._max_page_size,
            self._api_key,
            self._api_secret,
        )
        app[CONTEXT_KEY] = ctx
        if self.trading is not None:
            self.trading.mount(app)  # before /v2/{feed}, which would swallow /v2/orders
        add_alpaca_rest_routes(app, ctx)
        add_binance_rest_routes(app, ctx, lambda: self._clock.now_ns() // 1_000_000)
        hub, script = self._hub, self.script

        async def stock_stream(request: web.Request) -> web.WebSocketResponse:
            return await alpaca_stream_handler(request, hub, script, crypto=False)

        async def crypto_stream(request: web.Request) -> web.WebSocketResponse:
            return await alpaca_stream_handler(request, hub, script, crypto=True)

        async def binance_stream(request: web.Request) -> web.WebSocketResponse:
            return await binance_stream_handler(request, hub, script)

        app.router.add_get("/v2/{feed}", stock_stream)
        app.router.add_get("/v1beta3/crypto/{loc}", crypto_stream)
        app.router.add_get("/stream/ws", binance_stream)
        app.router.add_get("/stream/ws/{n}", binance_stream)
        # Short shutdown timeout: the server never has long requests to finish.
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._requested_port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        if self.trading is not None:
            await self.trading.start()

    async def stop(self) -> None:
        """Close every websocket and stop serving."""
        if self._runner is None:
            return
        if self.trading is not None:
            await self.trading.stop()
        for session in list(self._hub.sessions):
            await session.ws.close()
            await self._hub.remove(session)
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> VenueEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @classmethod
    def start_in_thread(cls, *args: Any, **kwargs: Any) -> EmulatorHandle:
        """Run an emulator on its own event loop in a daemon thread (for synchronous tests).

        Takes the constructor's arguments; returns a handle with the same URLs, ``stats``,
        blocking ``push_trade``/``push_quote``/``push_bar`` and ``stop()``.
        """
        return EmulatorHandle.start(cls(*args, **kwargs))

    # -- addresses -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    @property
    def alpaca_rest_url(self) -> str:
        """``url_override`` for alpaca-py's historical data clients."""
        return self.base_url

    @property
    def alpaca_stream_url(self) -> str:
        """``url_override`` for alpaca-py's ``StockDataStream`` (the IEX feed path)."""
        return f"ws://{self.host}:{self.port}/v2/iex"

    @property
    def alpaca_crypto_stream_url(self) -> str:
        """``url_override`` for alpaca-py's ``CryptoDataStream``."""
        return f"ws://{self.host}:{self.port}/v1beta3/crypto/us"

    @property
    def alpaca_trading_stream_url(self) -> str:
        """``url_override`` for alpaca-py's ``TradingStream``; ``TradingClient`` takes
        :attr:`alpaca_rest_url`."""
        return f"ws://{self.host}:{self.port}/stream"

    @property
    def binance_rest_url(self) -> str:
        """Binance spot REST base (``.../api/v3``)."""
        return f"{self.base_url}/api/v3"

    @property
    def binance_stream_url(self) -> str:
        """Binance spot stream base; ccxt appends ``/<n>``. The path holds ``/stream`` because
        ccxt.pro tells spot from futures by that substring of the URL."""
        return f"ws://{self.host}:{self.port}/stream/ws"

    def ccxt_config(self) -> dict[str, Any]:
        """Config to pass to ``ccxt.binance`` / ``ccxt.pro.binance`` so it talks to this server.

        See :func:`ccxt_config_for`.
        """
        return ccxt_config_for(self.base_url)

    # -- pushing data --------------------------------------------------------------------------

    def _now(self, ts_ns: int | None) -> int:
        return self._clock.now_ns() if ts_ns is None else int(ts_ns)

    async def push_trade(
        self, symbol: str, price: float, size: float, ts_ns: int | None = None
    ) -> int:
        """Send a trade to every client subscribed to ``symbol``; returns how many."""
        self._trade_ids += 1
        event = TradeEvent(symbol, float(price), float(size), self._now(ts_ns), self._trade_ids)
        return self._hub.broadcast(event)

    async def push_quote(
        self,
        symbol: str,
        bid_price: float,
        bid_size: float,
        ask_price: float,
        ask_size: float,
        ts_ns: int | None = None,
    ) -> int:
        """Send a quote to subscribers (Alpaca ``quotes``, Binance ``bookTicker``)."""
        event = QuoteEvent(symbol, bid_price, bid_size, ask_price, ask_size, self._now(ts_ns))
        return self._hub.broadcast(event)

    async def push_bar(
        self,
        symbol: str,
        open: float,
        high: float,
        low: float,
        close: float,
        volume: float,
        ts_ns: int | None = None,
        timeframe: str = "1m",
    ) -> int:
        """Send a finished bar (start ``ts_ns``) to Alpaca ``bars`` and Binance ``kline_<tf>``."""
        tf = parse_binance_interval(timeframe)
        start = self._now(ts_ns)
        event = BarEvent(symbol, open, high, low, close, volume, start - start % tf, tf)
        return self._hub.broadcast(event)

    def subscribers(self, symbol: str, channel: str = "trades", venue: str | None = None) -> int:
        """Open sessions subscribed to ``symbol`` on ``channel`` (trades, quotes or bars)."""
        return self._hub.subscribers(channel, symbol, venue)

    async def wait_for_subscribers(
        self,
        symbol: str,
        channel: str = "trades",
        count: int = 1,
        timeout: float = 5.0,
        venue: str | None = None,
    ) -> None:
        """Wait until ``count`` sessions subscribed, so a push is not sent into the void.

        Raises
        ------
        TimeoutError
            When they do not show up within ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            while self._hub.subscribers(channel, symbol, venue) < count:
                await asyncio.sleep(0.01)

    async def drop_connections(self) -> int:
        """Abort every open websocket now (an on-demand network failure); returns how many."""
        sessions = [s for s in self._hub.sessions if not s.closed]
        for session in sessions:
            await session.abort()
        return len(sessions)
