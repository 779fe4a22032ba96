"""One websocket client of the emulator: data messages pass through the fault pipeline.

Control frames (connected, auth, subscription acks) are written directly; data frames go
through a queue drained by one sender task, which is where drops, stalls, duplicates and
reordering happen. One task per connection keeps the wire order well defined.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable

from aiohttp import web

from quantrail.emulator._wire import Event
from quantrail.emulator.faults import FaultState, MessageFaults
from quantrail.emulator.stats import EmulatorStats

__all__ = ["StreamConnection", "StreamHub"]

Encoder = Callable[[object], str | bytes]


class StreamConnection(ABC):
    """Base of the venue sessions: queueing, fault pipeline, replay tasks and teardown."""

    venue: str = ""

    def __init__(
        self,
        request: web.Request,
        ws: web.WebSocketResponse,
        faults: FaultState,
        stats: EmulatorStats,
        encode: Encoder,
    ) -> None:
        self.ws = ws
        self._transport = request.transport
        self._faults = faults
        self._stats = stats
        self._encode = encode
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._n = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.closed = False
        self._sender = asyncio.create_task(self._run_sender())

    @abstractmethod
    def wire(self, event: Event) -> object | None:
        """The venue message for ``event``, or None when this client did not subscribe to it."""

    @abstractmethod
    def subscriptions(self, channel: str) -> set[str]:
        """Symbols this client subscribed to on ``channel`` (trades, quotes, bars)."""

    def offer(self, event: Event) -> bool:
        """Queue ``event`` if subscribed; True when queued."""
        if self.closed:
            return False
        message = self.wire(event)
        if message is None:
            return False
        self._queue.put_nowait(message)
        return True

    async def send_control(self, payload: object) -> None:
        """Write a control frame now, outside the fault pipeline."""
        async with self._lock:
            await self._write(payload)

    def start_replay(self, events: list[Event], pace: float) -> None:
        """Feed ``events`` into this connection, one every ``pace`` seconds."""
        task = asyncio.create_task(self._run_replay(events, pace))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def abort(self) -> None:
        """Cut the TCP connection without a close frame, as a network failure would."""
        if self.closed:
            return
        self.closed = True
        self._stats.drops += 1
        if self._transport is not None:
            self._transport.abort()

    async def close(self) -> None:
        """Stop the sender and replay tasks (the socket itself belongs to the handler)."""
        self.closed = True
        tasks = [self._sender, *self._tasks]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task

    async def _write(self, payload: object) -> None:
        data = self._encode(payload)
        if isinstance(data, bytes):
            await self.ws.send_bytes(data)
        else:
            await self.ws.send_str(data)

    async def _run_replay(self, events: list[Event], pace: float) -> None:
        for event in events:
            if self.closed:
                return
            self.offer(event)
            # sleep(0) still yields, so a fast replay cannot starve the sender.
            await asyncio.sleep(pace)

    async def _run_sender(self) -> None:
        held: tuple[object, MessageFaults] | None = None
        hold = self._faults.plan.reorder_hold_seconds
        while not self.closed:
            if held is None:
                message = await self._queue.get()
            else:
                try:
                    message = await asyncio.wait_for(self._queue.get(), hold)
                except TimeoutError:
                    # Nothing followed the held message: send it rather than lose it.
                    if not await self._emit(*held):
                        return
                    held = None
                    continue
            self._n += 1
            faults = self._faults.message_faults(self._n)
            if held is None and faults.reorder:
                held = (message, faults)
                continue
            if not await self._emit(message, faults):
                return
            if held is not None:
                self._stats.reordered += 1
                if not await self._emit(*held):
                    return
                held = None

    async def _emit(self, message: object, faults: MessageFaults) -> bool:
        """Send one data message with its faults; False once the connection is gone."""
        if self.closed or self.ws.closed:
            return False
        try:
            async with self._lock:
                await self._write(message)
                self._stats.messages_sent += 1
                if faults.duplicate:
                    await self._write(message)
                    self._stats.messages_sent += 1
                    self._stats.duplicates_sent += 1
        except ConnectionError:
            self.closed = True
            return False
        if faults.drop_after_send:
            await self.abort()
            return False
        if faults.stall_before_next:
            self._stats.stalls += 1
            await asyncio.sleep(self._faults.plan.stall_seconds)
        return True


class StreamHub:
    """Every open websocket session of one emulator, with what they share."""

    def __init__(
        self,
        faults: FaultState,
        stats: EmulatorStats,
        api_key: str | None,
        api_secret: str | None,
    ) -> None:
        self.faults = faults
        self.stats = stats
        self.api_key = api_key
        self.api_secret = api_secret
        self.sessions: set[StreamConnection] = set()

    def add(self, session: StreamConnection) -> None:
        """Track a new session and count the connection."""
        self.sessions.add(session)
        self.stats.connections += 1
        self.stats.open_connections += 1

    async def remove(self, session: StreamConnection) -> None:
        """Forget a session whose socket has ended and stop its tasks."""
        if session in self.sessions:
            self.sessions.discard(session)
            self.stats.open_connections -= 1
        await session.close()

    def broadcast(self, event: Event) -> int:
        """Queue ``event`` on every subscribed session; how many took it."""
        return sum(session.offer(event) for session in list(self.sessions))

    def subscribers(self, channel: str, symbol: str, venue: str | None = None) -> int:
        """Open sessions subscribed to ``symbol`` (or ``*``) on ``channel``."""
        return sum(
            1
            for s in self.sessions
            if not s.closed
            and (venue is None or s.venue == venue)
            and ({symbol, "*"} & s.subscriptions(channel))
        )

    def credentials_ok(self, key: object, secret: object) -> bool:
        """Any non-empty key and secret pass unless the emulator was given specific ones."""
        if not key or not secret:
            return False
        return (self.api_key is None or key == self.api_key) and (
            self.api_secret is None or secret == self.api_secret
        )
