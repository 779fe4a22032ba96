"""Alpaca's trade-updates websocket (``/stream``), with the stream faults of the plan.

Protocol, as alpaca-py's ``TradingStream`` speaks it: the client sends
``{"action": "authenticate", "data": {"key_id", "secret_key"}}`` and gets
``{"stream": "authorization", "data": {"status": "authorized", ...}}``; then
``{"action": "listen", "data": {"streams": ["trade_updates"]}}`` and gets
``{"stream": "listening", ...}``. Updates are ``{"stream": "trade_updates", "data": {...}}``.
Frames are JSON in *binary* websocket frames, as Alpaca sends them.

Reordering and duplication happen once, where updates are published; the delay and the drop
happen per connection, in the one sender task that keeps each connection's wire order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from quantrail.emulator._wire import rfc3339
from quantrail.emulator.trading_book import Update
from quantrail.emulator.trading_faults import TradingFaultState, TradingStats
from quantrail.emulator.trading_records import num

__all__ = ["TradeStreamSession", "UpdateBus", "trade_stream_handler"]

Credentials = Callable[[str, str], bool]


def update_message(update: Update) -> dict[str, Any]:
    """The ``trade_updates`` message of an update."""
    data: dict[str, Any] = {
        "event": update.event,
        "timestamp": rfc3339(update.ts),
        "order": update.order,
    }
    if update.execution_id is not None:
        data["execution_id"] = update.execution_id
        data["price"] = num(update.price)
        data["qty"] = num(update.qty)
        data["position_qty"] = num(update.position_qty)
    return {"stream": "trade_updates", "data": data}


class TradeStreamSession:
    """One trade-updates client: a queue of timed frames drained by one sender task."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, bus: UpdateBus) -> None:
        self.ws = ws
        self.listening = False
        self.authenticated = False
        self.closed = False
        self._transport = request.transport
        self._bus = bus
        self._queue: asyncio.Queue[tuple[float, bytes, bool]] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._sent = 0
        self._sender = asyncio.create_task(self._run())

    def offer(self, frame: bytes, due: float, duplicate: bool) -> None:
        """Queue an update frame to go out at loop time ``due``."""
        if not self.closed:
            self._queue.put_nowait((due, frame, duplicate))

    async def send_control(self, payload: dict[str, Any]) -> None:
        """Write a control frame now, outside the fault pipeline."""
        async with self._lock:
            await self.ws.send_bytes(json.dumps(payload).encode())

    async def abort(self) -> None:
        """Cut the TCP connection without a close frame, as a network failure would."""
        if self.closed:
            return
        self.closed = True
        self._bus.stats.stream_drops += 1
        if self._transport is not None:
            self._transport.abort()

    async def close(self) -> None:
        """Stop the sender (the socket belongs to the handler)."""
        self.closed = True
        self._sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await self._sender

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.closed:
            due, frame, duplicate = await self._queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if self.closed or self.ws.closed:
                return
            try:
                async with self._lock:
                    await self.ws.send_bytes(frame)
            except ConnectionError:
                return
            self._sent += 1
            self._bus.stats.updates_sent += 1
            self._bus.stats.fill_duplicates_sent += int(duplicate)
            if self._bus.faults.drop_after_update(self._sent):
                await self.abort()
                return


class UpdateBus:
    """Publishes the book's updates to listening sessions, applying the stream faults."""

    def __init__(self, faults: TradingFaultState, stats: TradingStats) -> None:
        self.faults = faults
        self.stats = stats
        self.sessions: set[TradeStreamSession] = set()
        self._held: dict[str, tuple[Update, asyncio.TimerHandle | None]] = {}

    def listeners(self) -> int:
        """Open sessions listening to ``trade_updates``."""
        return sum(1 for s in self.sessions if s.listening and not s.closed)

    def publish(self, update: Update) -> None:
        """Send ``update`` to every listener (the book's ``publish`` callback)."""
        self.stats.events[update.event] += 1
        self.stats.fills += int(update.execution_id is not None)  # one update per booked fill
        plan = self.faults.plan
        if update.event == "new" and plan.reorder_acks:
            timer: asyncio.TimerHandle | None = None
            with contextlib.suppress(RuntimeError):  # no running loop: the held ack just waits
                loop = asyncio.get_running_loop()
                timer = loop.call_later(plan.reorder_hold_seconds, self._release, update.order_id)
            self._held[update.order_id] = (update, timer)
            return
        self._fan_out(update)
        if update.order_id in self._held:
            self.stats.acks_reordered += 1
            self._release(update.order_id)

    async def drop_all(self) -> int:
        """Abort every open trade-updates socket now; returns how many."""
        sessions = [s for s in self.sessions if not s.closed]
        for session in sessions:
            await session.abort()
        return len(sessions)

    async def close_sessions(self) -> int:
        """Close every socket with a normal close frame (not a fault); returns how many."""
        sessions = list(self.sessions)
        for session in sessions:
            await session.ws.close()
            await session.close()
        self.sessions.clear()
        return len(sessions)

    async def close_all(self) -> None:
        """Flush held acknowledgements and close every socket (emulator shutdown)."""
        for order_id in list(self._held):
            self._release(order_id)
        await self.close_sessions()

    def _release(self, order_id: str) -> None:
        held = self._held.pop(order_id, None)
        if held is not None:
            if held[1] is not None:
                held[1].cancel()
            self._fan_out(held[0])

    def _fan_out(self, update: Update) -> None:
        frame = json.dumps(update_message(update)).encode()
        copies = 1
        if update.execution_id is not None and self.faults.duplicate_next_fill():
            copies = 2
        delay = self.faults.plan.update_delay
        try:
            due = asyncio.get_running_loop().time() + delay
        except RuntimeError:
            due = 0.0
        for session in self.sessions:
            if session.listening and not session.closed:
                self.stats.updates_delayed += int(delay > 0)
                for n in range(copies):
                    session.offer(frame, due, duplicate=n > 0)


async def _handle(session: TradeStreamSession, raw: str | bytes, allowed: Credentials) -> None:
    try:
        message = json.loads(raw)
        action, data = message.get("action"), message.get("data") or {}
    except (ValueError, AttributeError):
        await session.send_control({"stream": "listening", "data": {"error": "invalid syntax"}})
        return
    if action in ("authenticate", "auth"):
        key = data.get("key_id", message.get("key", ""))
        secret = data.get("secret_key", message.get("secret", ""))
        session.authenticated = allowed(str(key), str(secret))
        status = "authorized" if session.authenticated else "unauthorized"
        reply = {"action": "authenticate", "status": status}
        await session.send_control({"stream": "authorization", "data": reply})
        if not session.authenticated:
            await session.ws.close()
    elif action == "listen":
        if not session.authenticated:
            reply = {"action": "listen", "status": "unauthorized"}
            await session.send_control({"stream": "authorization", "data": reply})
            return
        streams = [s for s in data.get("streams", []) if s == "trade_updates"]
        session.listening = bool(streams)
        await session.send_control({"stream": "listening", "data": {"streams": streams}})
    else:
        error = {"error": f"unrecognized action {action!r}"}
        await session.send_control({"stream": "listening", "data": error})


async def trade_stream_handler(
    request: web.Request, bus: UpdateBus, allowed: Credentials
) -> web.WebSocketResponse:
    """Serve one trade-updates websocket until the client leaves or the emulator stops."""
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    session = TradeStreamSession(ws, request, bus)
    bus.sessions.add(session)
    bus.stats.stream_connections += 1
    bus.stats.open_streams += 1
    try:
        async for msg in ws:
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await _handle(session, msg.data, allowed)
    except ConnectionError:
        pass  # the client vanished (or a planned drop cut it); nothing to answer
    finally:
        bus.stats.open_streams -= 1
        bus.sessions.discard(session)
        await session.close()
    return ws
