"""Alpaca's trade-updates websocket, spoken with ``websockets`` in a thread of its own.

Why not alpaca-py's ``TradingStream``: its ``run()`` owns an event loop (``asyncio.run``), so it
cannot run inside another one without calling the private ``_run_forever``; its reconnect loop
hides every drop, and a drop is exactly when the adapter must poll order status to catch up on
the updates the venue sent meanwhile (Alpaca does not replay them); its stop flag is checked
every 5 s; and it is built on the deprecated ``websockets.legacy``. The protocol is three
messages (authenticate, listen, updates), documented at
https://docs.alpaca.markets/docs/websocket-streaming, so this client speaks it directly.

The stream only parses updates and hands them to ``deliver`` (a thread-safe queue put); the
adapter applies them on the engine's thread, so the order manager is never touched from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import threading
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from quantrail.core.errors import VenueRejected
from quantrail.execution.adapters._alpaca_wire import TradeUpdate
from quantrail.oms.retry import RetryRule

__all__ = ["TradeUpdateStream"]

log = logging.getLogger("quantrail.execution.alpaca")

_HANDSHAKE_TIMEOUT = 10.0


class _NoFrameLog(logging.LoggerAdapter[logging.Logger]):
    """websockets logs every frame at DEBUG, the authenticate frame (with the secret) too; the
    stream's connection never logs at DEBUG, whatever the root logger's level."""

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802  # logging's own name
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


_WS_LOG = _NoFrameLog(logging.getLogger("quantrail.execution.alpaca.websocket"))


class TradeUpdateStream:
    """One reconnecting subscription to ``trade_updates``.

    Parameters
    ----------
    url : str
        ``wss://paper-api.alpaca.markets/stream`` (or the emulator's ``stream_url``).
    key_id, secret_key : str
        Sent in the ``authenticate`` action; never logged.
    deliver : callable
        Receives each parsed ``TradeUpdate``; called on the stream's thread.
    lost : callable
        Called on the stream's thread whenever a listening connection ends (or a connect
        fails), so the adapter knows updates may have been missed.
    reconnect : RetryRule
        Its ``delay`` spaces reconnect attempts; attempts never stop until :meth:`stop`.
    """

    def __init__(
        self,
        url: str,
        key_id: str,
        secret_key: str,
        deliver: Callable[[TradeUpdate], None],
        lost: Callable[[], None],
        reconnect: RetryRule,
    ) -> None:
        self.url = url
        self._auth = {
            "action": "authenticate",
            "data": {"key_id": key_id, "secret_key": secret_key},
        }
        self._deliver = deliver
        self._lost = lost
        self._reconnect = reconnect
        self._rng = random.Random(0)
        self.connected = threading.Event()
        self.connections = 0
        self.error: Exception | None = None  # set when the venue refused the credentials
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ws: ClientConnection | None = None

    # -- thread control ----------------------------------------------------------------------
    def start(self) -> None:
        """Run :meth:`run` in a daemon thread (idempotent)."""
        if self._thread is not None:
            return
        ready = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._main(ready)), name="alpaca-trade-updates", daemon=True
        )
        self._thread.start()
        ready.wait(5.0)

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        ready.set()
        await self.run(self._stop)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the socket normally and end the thread (idempotent)."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None or loop is None or stop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop already ended
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        self._thread = None

    # -- the session loop --------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Connect, listen and deliver until ``stop`` is set, reconnecting after each loss.

        Usable directly inside an engine's own event loop instead of :meth:`start`.
        """
        attempt = 0
        while not stop.is_set():
            session = asyncio.ensure_future(self._session())
            waiter = asyncio.ensure_future(stop.wait())
            await asyncio.wait({session, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if not session.done():
                await self._close()  # stopping: a normal close ends the session
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(session), 2.0)
                session.cancel()
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
            listened = await self._outcome(session)
            if self.error is not None or stop.is_set():
                return
            attempt = 0 if listened else attempt + 1
            delay = self._reconnect.delay(min(attempt, 30), self._rng)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)

    async def _outcome(self, session: asyncio.Future[bool]) -> bool:
        """Reap a finished session: True if it had been listening; reports the loss."""
        listened = False
        try:
            listened = await session
        except asyncio.CancelledError:
            pass
        except VenueRejected as exc:
            self.error = exc
            log.error("alpaca trade updates: %s; the stream stops, status is polled", exc)
        except (ConnectionClosed, InvalidHandshake, InvalidURI, OSError, TimeoutError) as exc:
            log.warning("alpaca trade updates lost: %s: %s", type(exc).__name__, exc)
        self.connected.clear()
        self._lost()
        return listened

    async def _session(self) -> bool:
        """One connection: handshake, then deliver until it closes. True once it listened."""
        listening = False
        async with connect(
            self.url, open_timeout=_HANDSHAKE_TIMEOUT, close_timeout=1.0, ping_interval=10.0,
            ping_timeout=20.0, logger=_WS_LOG,
        ) as ws:  # fmt: skip
            self._ws = ws
            try:
                await ws.send(json.dumps(self._auth))
                await self._expect(ws, "authorization")
                await ws.send(
                    json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}})
                )
                await self._expect(ws, "listening")
                listening = True
                self.connections += 1
                self.connected.set()
                async for frame in ws:
                    self._frame(frame)
            finally:
                self._ws = None
        return listening

    async def _expect(self, ws: ClientConnection, stream: str) -> None:
        async with asyncio.timeout(_HANDSHAKE_TIMEOUT):
            while True:
                message = json.loads(await ws.recv())
                if not isinstance(message, dict) or message.get("stream") != stream:
                    continue
                data = message.get("data") or {}
                if stream == "authorization" and data.get("status") != "authorized":
                    raise VenueRejected("alpaca trade updates: the credentials were refused")
                return

    def _frame(self, frame: str | bytes) -> None:
        try:
            payload: Any = json.loads(frame)
        except ValueError:
            log.warning("alpaca trade updates: a frame that is not JSON was skipped")
            return
        for message in payload if isinstance(payload, list) else [payload]:
            if not isinstance(message, dict) or message.get("stream") != "trade_updates":
                continue
            try:
                update = TradeUpdate(**message["data"])
            except (ValidationError, KeyError, TypeError) as exc:
                # One malformed update must not kill the stream; the poll after the next
                # drop, or reconciliation, shows what it would have said.
                log.warning("alpaca trade updates: an update could not be parsed: %s", exc)
                continue
            self._deliver(update)

    async def _close(self) -> None:
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(ConnectionClosed, OSError):
                await ws.close()
