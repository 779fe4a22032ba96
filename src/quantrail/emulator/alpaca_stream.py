"""Alpaca market-data websocket: ``/v2/{feed}`` (stocks) and ``/v1beta3/crypto/{loc}``.

Protocol as alpaca-py speaks it: on connect the server sends ``[{"T":"success","msg":
"connected"}]``; the client sends ``{"action":"auth","key","secret"}`` and gets ``[{"T":"success",
"msg":"authenticated"}]``; then ``{"action":"subscribe","trades":[...],"quotes":[...],
"bars":[...]}`` is answered with ``[{"T":"subscription", ...}]``. Every frame is an array.

Frames are msgpack when the client connected with ``Content-Type: application/msgpack`` (as
alpaca-py does; times are msgpack Timestamps), JSON text otherwise (times RFC-3339).
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
    msgpack,
    replay_events,
    rfc3339,
)
from quantrail.emulator.connection import StreamConnection, StreamHub
from quantrail.emulator.script import MarketScript

# Seconds to wait for a client to answer our close frame: bounds emulator shutdown.
_CLOSE_TIMEOUT = 1.0

__all__ = ["alpaca_stream_handler"]

_STOCK_CHANNELS = (
    "trades",
    "quotes",
    "bars",
    "updatedBars",
    "dailyBars",
    "statuses",
    "lulds",
    "corrections",
    "cancelErrors",
)
_CRYPTO_CHANNELS = ("trades", "quotes", "orderbooks", "bars", "updatedBars", "dailyBars")
_REPLAYED = ("trades", "quotes", "bars")


def _encoder(use_msgpack: bool) -> Any:
    def convert(message: object) -> object:
        # Data messages carry "t" as UTC ns until the last moment; each format spells it.
        if isinstance(message, dict) and isinstance(message.get("t"), int):
            ns = message["t"]
            message = dict(message)
            message["t"] = msgpack.Timestamp.from_unix_nano(ns) if use_msgpack else rfc3339(ns)
        return message

    def encode(payload: object) -> str | bytes:
        frame = [convert(m) for m in (payload if isinstance(payload, list) else [payload])]
        return msgpack.packb(frame) if use_msgpack else json.dumps(frame)

    return encode


class AlpacaSession(StreamConnection):
    """One Alpaca stream client: auth state and subscriptions per channel."""

    venue = "alpaca"

    def __init__(self, *args: Any, crypto: bool, script: MarketScript, hub: StreamHub) -> None:
        super().__init__(*args)
        self.crypto = crypto
        self.authenticated = False
        self._script = script
        self._hub = hub
        channels = _CRYPTO_CHANNELS if crypto else _STOCK_CHANNELS
        self._subs: dict[str, set[str]] = {c: set() for c in channels}

    def subscriptions(self, channel: str) -> set[str]:
        return self._subs.get(channel, set())

    def _wants(self, channel: str, symbol: str) -> bool:
        subs = self.subscriptions(channel)
        # A stock session never sees crypto pairs and vice versa, as on the real feeds.
        return ("/" in symbol) == self.crypto and (symbol in subs or "*" in subs)

    def wire(self, event: Event) -> object | None:
        if isinstance(event, TradeEvent) and self._wants("trades", event.symbol):
            msg: dict[str, Any] = {
                "T": "t",
                "S": event.symbol,
                "i": event.id,
                "p": event.price,
                "s": event.size,
                "t": event.ts_ns,
            }
            msg.update({"tks": "B"} if self.crypto else {"x": "V", "c": ["@"], "z": "C"})
            return msg
        if isinstance(event, QuoteEvent) and self._wants("quotes", event.symbol):
            msg = {
                "T": "q",
                "S": event.symbol,
                "bp": event.bid_price,
                "bs": event.bid_size,
                "ap": event.ask_price,
                "as": event.ask_size,
                "t": event.ts_ns,
            }
            if not self.crypto:
                msg.update({"bx": "V", "ax": "V", "c": ["R"], "z": "C"})
            return msg
        if isinstance(event, BarEvent) and self._wants("bars", event.symbol):
            vwap = event.close if event.vwap is None else event.vwap
            return {
                "T": "b",
                "S": event.symbol,
                "o": event.open,
                "h": event.high,
                "l": event.low,
                "c": event.close,
                "v": event.volume,
                "t": event.ts_ns,
                "n": event.trade_count,
                "vw": vwap,
            }
        return None

    async def handle(self, message: object) -> None:
        """React to one client message (a dict, or a list of dicts)."""
        for item in message if isinstance(message, list) else [message]:
            action = item.get("action") if isinstance(item, dict) else None
            if action == "auth":
                assert isinstance(item, dict)
                await self._auth(item)
            elif action in ("subscribe", "unsubscribe"):
                assert isinstance(item, dict)
                await self._subscribe(item, add=action == "subscribe")
            else:
                await self.send_control([{"T": "error", "code": 400, "msg": "invalid syntax"}])

    async def _auth(self, item: dict[str, Any]) -> None:
        if self.authenticated:
            await self.send_control([{"T": "error", "code": 403, "msg": "already authenticated"}])
        elif self._hub.credentials_ok(item.get("key"), item.get("secret")):
            self.authenticated = True
            await self.send_control([{"T": "success", "msg": "authenticated"}])
        else:
            await self.send_control([{"T": "error", "code": 402, "msg": "auth failed"}])

    async def _subscribe(self, item: dict[str, Any], add: bool) -> None:
        if not self.authenticated:
            await self.send_control([{"T": "error", "code": 401, "msg": "not authenticated"}])
            return
        rejected = self._hub.faults.plan.reject_symbols
        added: list[tuple[str, str]] = []
        for channel, subs in self._subs.items():
            for symbol in item.get(channel) or []:
                if symbol in rejected:
                    self._hub.stats.rejected += 1
                    await self.send_control(
                        [{"T": "error", "code": 400, "msg": f"invalid symbol: {symbol}"}]
                    )
                elif add and symbol not in subs:
                    subs.add(symbol)
                    added.append((channel, symbol))
                elif not add:
                    subs.discard(symbol)
        ack: dict[str, Any] = {"T": "subscription"}
        ack.update({c: sorted(s) for c, s in self._subs.items()})
        await self.send_control([ack])
        self._replay(added)

    def _replay(self, added: list[tuple[str, str]]) -> None:
        pace = self._script.replay_pace
        if pace is None:
            return
        for channel, symbol in added:
            if channel not in _REPLAYED or symbol == "*":
                continue
            if channel == "trades":
                frame = self._script.trades(symbol)
            elif channel == "quotes":
                frame = self._script.quotes(symbol)
            else:
                frame = self._script.bars(symbol)
            frame = frame.iloc[: self._script.replay_limit]
            tf = self._script.base_frequency_ns(symbol) or 60_000_000_000
            self.start_replay(replay_events(frame, symbol, channel, tf), pace)


async def alpaca_stream_handler(
    request: web.Request, hub: StreamHub, script: MarketScript, crypto: bool
) -> web.WebSocketResponse:
    """Serve one Alpaca stream connection until the client leaves or a fault cuts it."""
    ws = web.WebSocketResponse(autoping=True, timeout=_CLOSE_TIMEOUT)
    await ws.prepare(request)
    use_msgpack = "msgpack" in request.headers.get("Content-Type", "")
    session = AlpacaSession(
        request,
        ws,
        hub.faults,
        hub.stats,
        _encoder(use_msgpack),
        crypto=crypto,
        script=script,
        hub=hub,
    )
    hub.add(session)
    try:
        await session.send_control([{"T": "success", "msg": "connected"}])
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await session.handle(json.loads(msg.data))
            elif msg.type == WSMsgType.BINARY:
                await session.handle(msgpack.unpackb(msg.data))
            elif msg.type == WSMsgType.ERROR:
                break
    except (ConnectionError, ValueError):
        # A dropped or malformed client ends its own session, never the server.
        pass
    finally:
        await hub.remove(session)
    return ws
