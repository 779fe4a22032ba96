"""Blocking control of a trading emulator that runs on its own loop in a daemon thread."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from quantrail.emulator._thread import EmulatorHandle
from quantrail.emulator.faults import FaultPlan
from quantrail.emulator.script import MarketScript
from quantrail.emulator.server import VenueEmulator
from quantrail.emulator.stats import EmulatorStats
from quantrail.emulator.trading_faults import TradingFaultPlan, TradingStats
from quantrail.emulator.trading_setup import TradingSetup
from quantrail.emulator.trading_venue import TradingVenue

__all__ = ["TradingHandle"]


class TradingHandle:
    """A started emulator with trading; every call runs on the emulator's loop and blocks.

    Start one with :meth:`start` (or wrap ``VenueEmulator.start_in_thread(..., trading=...)``)
    and stop it with :meth:`stop` or ``with``::

        with TradingHandle.start(script, trading=TradingSetup(matcher=factory)) as emu:
            client = TradingClient("k", "s", url_override=emu.rest_url)
            client.submit_order(...)
            emu.advance_bars(1)

    Parameters
    ----------
    market : EmulatorHandle
        The running emulator; it must have been built with ``trading=``.
    """

    def __init__(self, market: EmulatorHandle) -> None:
        trading = market.emulator.trading
        if trading is None:
            raise ValueError("the emulator was started without trading=TradingSetup(...)")
        self.market = market
        self.venue: TradingVenue = trading
        self._stopped = False

    @classmethod
    def start(
        cls,
        script: MarketScript | None = None,
        faults: FaultPlan | None = None,
        *,
        trading: TradingSetup,
        **kwargs: Any,
    ) -> TradingHandle:
        """Start ``VenueEmulator(script, faults, trading=trading, **kwargs)`` in a thread."""
        return cls(VenueEmulator.start_in_thread(script, faults, trading=trading, **kwargs))

    def stop(self) -> None:
        """Close every socket, write the state file and stop the thread. Idempotent."""
        self.market.stop()
        self._stopped = True

    def __enter__(self) -> TradingHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def rest_url(self) -> str:
        """``url_override`` for alpaca-py's ``TradingClient``."""
        return self.market.emulator.alpaca_rest_url

    @property
    def stream_url(self) -> str:
        """``url_override`` for alpaca-py's ``TradingStream``."""
        return self.market.emulator.alpaca_trading_stream_url

    # -- driving -------------------------------------------------------------------------------

    def _run(self, fn: Any, *args: Any) -> Any:
        if self._stopped:
            return fn(*args)  # the loop is gone, so nothing else touches the venue any more

        async def call() -> Any:
            return fn(*args)

        return self.market.call(call())

    def advance_bars(self, n: int = 1) -> int:
        """Replay the next ``n`` bar steps through the fill model; returns how many ran."""
        done: int = self._run(self.venue.advance_bars, n)
        return done

    def set_faults(self, plan: TradingFaultPlan) -> None:
        """Put a new trading fault plan in force."""
        self._run(self.venue.set_faults, plan)

    def drop_trade_streams(self) -> int:
        """Abort every trade-updates socket now (counted in ``stream_drops``)."""
        return self.market.call(self.venue.bus.drop_all())

    def close_trade_streams(self) -> int:
        """Close every trade-updates socket normally (no fault is counted)."""
        return self.market.call(self.venue.bus.close_sessions())

    def wait_for_listeners(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until ``count`` clients listen to ``trade_updates``.

        Raises
        ------
        TimeoutError
            When they do not within ``timeout`` seconds.
        """

        async def wait() -> None:
            async with asyncio.timeout(timeout):
                while self.venue.bus.listeners() < count:
                    await asyncio.sleep(0.01)

        self.market.call(wait(), timeout + 1.0)

    @property
    def stats(self) -> TradingStats:
        """A consistent copy of the trading counters."""
        snapshot: TradingStats = self._run(self.venue.stats.snapshot)
        return snapshot

    @property
    def market_stats(self) -> EmulatorStats:
        """The emulator's own counters (every REST request is in ``request_log``)."""
        if self._stopped:
            return self.market.emulator.stats.snapshot()
        return self.market.stats

    @property
    def clock_ns(self) -> int:
        """The emulator's replayed time."""
        now: int = self._run(self.venue.clock.now_ns)
        return now
