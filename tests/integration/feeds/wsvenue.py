"""A tiny websocket venue for testing the generic feed machinery over a real socket.

Protocol: the client sends ``{"subscribe": [symbols]}``; the server then sends JSON arrays of
trades in quantrail's dict form. The test pushes trades, drops or stalls connections, and
reads the history back as the "REST" backfill.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from quantrail.core.errors import VenueUnavailable
from quantrail.data.feeds import Quote, Trade
from quantrail.data.feeds.parsers import parse_normalised


class WsVenue:
    def __init__(self) -> None:
        self.history: list[Trade] = []
        self.connections: set[ServerConnection] = set()
        self.stalled = False
        self.connects = 0
        self._server: Server | None = None

    async def __aenter__(self) -> WsVenue:
        self._server = await serve(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = next(iter(self._server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}"

    async def _handle(self, ws: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            json.loads(await ws.recv())  # the subscription
            self.connects += 1
            self.connections.add(ws)
            try:
                await ws.wait_closed()
            finally:
                self.connections.discard(ws)

    async def wait_connected(self, count: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while self.connects < count or not self.connections:
                await asyncio.sleep(0.005)

    async def push(self, *trades: Trade, record: bool = True) -> None:
        if record:
            self.history.extend(trades)
        if self.stalled:
            return
        frame = json.dumps([asdict(t) for t in trades])
        for ws in list(self.connections):
            with contextlib.suppress(ConnectionClosed):
                await ws.send(frame)

    def drop(self) -> None:
        """Cut every connection without a close frame, like a network failure."""
        for ws in list(self.connections):
            ws.transport.abort()

    async def backfill(self, symbol: str, since_ns: int, until_ns: int) -> list[Trade]:
        return [t for t in self.history if t.symbol == symbol and since_ns <= t.ts_ns <= until_ns]


class WsTransport:
    """The client side of the protocol above."""

    source = "normalised"

    def __init__(self, url: str) -> None:
        self.url = url
        self._ws: ClientConnection | None = None

    async def connect(self, symbols: Sequence[str]) -> None:
        try:
            self._ws = await connect(self.url)
            await self._ws.send(json.dumps({"subscribe": list(symbols)}))
        except OSError as exc:
            raise VenueUnavailable(str(exc)) from exc

    async def subscribe(self, symbols: Sequence[str]) -> None:
        assert self._ws is not None
        await self._ws.send(json.dumps({"subscribe": list(symbols)}))

    async def receive(self) -> Sequence[Any]:
        assert self._ws is not None
        try:
            frame = await self._ws.recv()
        except ConnectionClosed as exc:
            raise VenueUnavailable(f"closed: {exc}") from exc
        payloads: list[Any] = json.loads(frame)
        return payloads

    def parse(self, payload: Any) -> Sequence[Trade | Quote]:
        return parse_normalised(payload)

    async def close(self) -> None:
        if self._ws is not None:
            ws, self._ws = self._ws, None
            await ws.close()
