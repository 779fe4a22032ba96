"""Running an emulator on its own event loop in a background thread, for synchronous callers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from quantrail.emulator.stats import EmulatorStats

if TYPE_CHECKING:
    from quantrail.emulator.server import VenueEmulator

__all__ = ["EmulatorHandle"]

T = TypeVar("T")
_TIMEOUT = 10.0


class EmulatorHandle:
    """A started emulator living in a daemon thread. Stop it with :meth:`stop` (or ``with``).

    Attribute reads (URLs, ``ccxt_config()``) are plain; calls that touch the server
    (``push_*``, ``stats``, ``drop_connections``) run on the emulator's loop and block.
    """

    def __init__(
        self, emulator: VenueEmulator, loop: asyncio.AbstractEventLoop, thread: threading.Thread
    ) -> None:
        self.emulator = emulator
        self._loop = loop
        self._thread = thread

    @classmethod
    def start(cls, emulator: VenueEmulator) -> EmulatorHandle:
        """Start ``emulator`` in a new thread and wait until it listens."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(emulator.start())
            except BaseException as exc:  # handed to the starting thread, which re-raises
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        thread = threading.Thread(target=run, name="quantrail-emulator", daemon=True)
        thread.start()
        if not ready.wait(_TIMEOUT):
            raise TimeoutError("the emulator did not start within 10 s")
        if failure:
            raise failure[0]
        return cls(emulator, loop, thread)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = _TIMEOUT) -> T:
        """Run ``coro`` on the emulator's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        """Close the emulator's sockets, stop its loop and join the thread. Idempotent."""
        if not self._thread.is_alive():
            return
        self.call(self.emulator.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(_TIMEOUT)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the emulator's interface, made blocking ------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port."""
        return self.emulator.port

    @property
    def alpaca_rest_url(self) -> str:
        """See :attr:`VenueEmulator.alpaca_rest_url`."""
        return self.emulator.alpaca_rest_url

    @property
    def alpaca_stream_url(self) -> str:
        """See :attr:`VenueEmulator.alpaca_stream_url`."""
        return self.emulator.alpaca_stream_url

    @property
    def alpaca_crypto_stream_url(self) -> str:
        """See :attr:`VenueEmulator.alpaca_crypto_stream_url`."""
        return self.emulator.alpaca_crypto_stream_url

    @property
    def ccxt_exchange_id(self) -> str:
        """The ccxt exchange the emulator speaks (``binance``)."""
        return self.emulator.ccxt_exchange_id

    def ccxt_config(self) -> dict[str, Any]:
        """See :meth:`VenueEmulator.ccxt_config`."""
        return self.emulator.ccxt_config()

    @property
    def stats(self) -> EmulatorStats:
        """A consistent copy of the counters, taken on the emulator's loop."""

        async def snapshot() -> EmulatorStats:
            return self.emulator.stats.snapshot()

        return self.call(snapshot())

    def push_trade(self, symbol: str, price: float, size: float, ts_ns: int | None = None) -> int:
        """Blocking :meth:`VenueEmulator.push_trade`."""
        return self.call(self.emulator.push_trade(symbol, price, size, ts_ns))

    def push_quote(
        self,
        symbol: str,
        bid_price: float,
        bid_size: float,
        ask_price: float,
        ask_size: float,
        ts_ns: int | None = None,
    ) -> int:
        """Blocking :meth:`VenueEmulator.push_quote`."""
        emu = self.emulator
        return self.call(emu.push_quote(symbol, bid_price, bid_size, ask_price, ask_size, ts_ns))

    def push_bar(
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
        """Blocking :meth:`VenueEmulator.push_bar`."""
        coro = self.emulator.push_bar(symbol, open, high, low, close, volume, ts_ns, timeframe)
        return self.call(coro)

    def wait_for_subscribers(
        self, symbol: str, channel: str = "trades", count: int = 1, timeout: float = 5.0
    ) -> None:
        """Blocking :meth:`VenueEmulator.wait_for_subscribers`."""
        self.call(
            self.emulator.wait_for_subscribers(symbol, channel, count, timeout), timeout + 1.0
        )

    def drop_connections(self) -> int:
        """Blocking :meth:`VenueEmulator.drop_connections`."""
        return self.call(self.emulator.drop_connections())
