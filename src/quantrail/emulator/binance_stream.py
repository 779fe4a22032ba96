"""Binance spot websocket streams, as ccxt.pro's ``binance`` uses them.

The client connects to ``{ws}/<n>`` and sends ``{"method":"SUBSCRIBE","params":
["btcusd@trade","btcusd@kline_1m"],"id":1}``; the answer is ``{"result":null,"id":1}``. Events
are JSON objects: ``trade``, ``aggTrade``, ``kline`` and (for quotes) ``bookTicker``.
``UNSUBSCRIBE`` and ``LIST_SUBSCRIPTIONS`` work as on Binance.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import WSMsgType, web

from quantrail.emulator._wire import (
    BarEvent,
    Event,
    QuoteEvent,
    TradeEvent,
    decimal_str,
    replay_events,
)
from quantrail.emulator.binance_rest import binance_id, markets, parse_binance_interval
from quantrail.emulator.connection import StreamConnection, StreamHub
from quantrail.emulator.script import MarketScript

# Seconds to wait for a client to answer our close frame: bounds emulator shutdown.
_CLOSE_TIMEOUT = 1.0

__all__ = ["binance_stream_handler"]

_MS = 1_000_000


def _valid_interval(text: str) -> bool:
    try:
        parse_binance_interval(text)
    except ValueError:
        return False
    return True


def _encode(payload: object) -> str:
    return json.dumps(payload)


class BinanceSession(StreamConnection):
    """One Binance stream client: its set of stream names (``btcusd@trade`` ...)."""

    venue = "binance"

    def __init__(self, *args: Any, script: MarketScript, hub: StreamHub) -> None:
        super().__init__(*args)
        self._script = script
        self._hub = hub
        self._ids = markets(script)
        self.streams: set[str] = set()

    def subscriptions(self, channel: str) -> set[str]:
        kinds = {"trades": ("trade", "aggTrade"), "quotes": ("bookTicker",), "bars": ("kline",)}
        out: set[str] = set()
        for stream in self.streams:
            market, _, kind = stream.partition("@")
            if kind.split("_")[0] in kinds.get(channel, ()):
                out.add(self._ids.get(market.upper(), market.upper()))
        return out

    def wire(self, event: Event) -> object | None:
        market = binance_id(event.symbol)
        prefix = market.lower() + "@"
        ms = event.ts_ns // _MS
        if isinstance(event, TradeEvent):
            price, qty = decimal_str(event.price), decimal_str(event.size)
            if prefix + "trade" in self.streams:
                return {
                    "e": "trade",
                    "E": ms,
                    "s": market,
                    "t": event.id,
                    "p": price,
                    "q": qty,
                    "T": ms,
                    "m": False,
                    "M": True,
                }
            if prefix + "aggTrade" in self.streams:
                return {
                    "e": "aggTrade",
                    "E": ms,
                    "s": market,
                    "a": event.id,
                    "p": price,
                    "q": qty,
                    "f": event.id,
                    "l": event.id,
                    "T": ms,
                    "m": False,
                    "M": True,
                }
        elif isinstance(event, QuoteEvent) and prefix + "bookTicker" in self.streams:
            return {
                "u": ms,
                "s": market,
                "b": decimal_str(event.bid_price),
                "B": decimal_str(event.bid_size),
                "a": decimal_str(event.ask_price),
                "A": decimal_str(event.ask_size),
            }
        elif isinstance(event, BarEvent):
            for stream in self.streams:
                if not stream.startswith(prefix + "kline_"):
                    continue
                if parse_binance_interval(stream.split("_", 1)[1]) == event.timeframe_ns:
                    return self._kline(event, market, stream.split("_", 1)[1])
        return None

    @staticmethod
    def _kline(event: BarEvent, market: str, interval: str) -> dict[str, Any]:
        start = event.ts_ns // _MS
        vwap = event.close if event.vwap is None else event.vwap
        return {
            "e": "kline",
            "E": start,
            "s": market,
            "k": {
                "t": start,
                "T": start + event.timeframe_ns // _MS - 1,
                "s": market,
                "i": interval,
                "f": 0,
                "L": 0,
                "o": decimal_str(event.open),
                "c": decimal_str(event.close),
                "h": decimal_str(event.high),
                "l": decimal_str(event.low),
                "v": decimal_str(event.volume),
                "n": event.trade_count,
                "x": True,
                "q": decimal_str(event.volume * vwap),
                "V": "0",
                "Q": "0",
                "B": "0",
            },
        }

    async def handle(self, message: Any) -> None:
        """React to one JSON request from the client."""
        method = message.get("method") if isinstance(message, dict) else None
        request_id = message.get("id") if isinstance(message, dict) else None
        params = message.get("params") or [] if isinstance(message, dict) else []
        if method == "SUBSCRIBE":
            await self._subscribe([str(p) for p in params], request_id)
        elif method == "UNSUBSCRIBE":
            self.streams.difference_update(str(p) for p in params)
            await self.send_control({"result": None, "id": request_id})
        elif method == "LIST_SUBSCRIPTIONS":
            await self.send_control({"result": sorted(self.streams), "id": request_id})
        else:
            await self.send_control(
                {"error": {"code": 2, "msg": "Invalid request: unknown method"}, "id": request_id}
            )

    async def _subscribe(self, params: list[str], request_id: object) -> None:
        rejected = self._hub.faults.plan.reject_symbols
        for stream in params:
            market = stream.partition("@")[0].upper()
            symbol = self._ids.get(market, market)
            if symbol in rejected or market in rejected:
                self._hub.stats.rejected += 1
                error = {"code": 2, "msg": f"Invalid request: symbol rejected: {market}"}
                await self.send_control({"error": error, "id": request_id})
                return
            if "@kline_" in stream and not _valid_interval(stream.split("_", 1)[1]):
                error = {"code": 2, "msg": f"Invalid request: bad interval in {stream}"}
                await self.send_control({"error": error, "id": request_id})
                return
        new = [p for p in params if p not in self.streams]
        self.streams.update(params)
        await self.send_control({"result": None, "id": request_id})
        self._replay(new)

    def _replay(self, streams: list[str]) -> None:
        pace = self._script.replay_pace
        if pace is None:
            return
        for stream in streams:
            market, _, kind = stream.partition("@")
            symbol = self._ids.get(market.upper())
            if symbol is None:
                continue
            limit = self._script.replay_limit
            if kind in ("trade", "aggTrade"):
                frame = self._script.trades(symbol).iloc[:limit]
                self.start_replay(replay_events(frame, symbol, "trades", 0), pace)
            elif kind.startswith("kline_"):
                tf = parse_binance_interval(kind.split("_", 1)[1])
                frame = self._script.bars(symbol, tf).iloc[:limit]
                self.start_replay(replay_events(frame, symbol, "bars", tf), pace)


async def binance_stream_handler(
    request: web.Request, hub: StreamHub, script: MarketScript
) -> web.WebSocketResponse:
    """Serve one Binance stream connection until the client leaves or a fault cuts it."""
    ws = web.WebSocketResponse(autoping=True, timeout=_CLOSE_TIMEOUT)
    await ws.prepare(request)
    session = BinanceSession(request, ws, hub.faults, hub.stats, _encode, script=script, hub=hub)
    hub.add(session)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await session.handle(json.loads(msg.data))
            elif msg.type == WSMsgType.ERROR:
                break
    except (ConnectionError, ValueError):
        # A dropped or malformed client ends its own session, never the server.
        pass
    finally:
        await hub.remove(session)
    return ws
