"""CcxtTradeFeed (real ccxt.pro binance client) against the emulator."""

from __future__ import annotations

import asyncio

from quantrail.data.feeds import FeedSettings
from quantrail.data.feeds.ccxt_feed import CcxtTradeFeed
from quantrail.emulator import FaultPlan, VenueEmulator

from .emuhelp import POLICY, history, push, script, take_trades, wait_until

PAIR = "BTC/USD"


def make_feed(emu: VenueEmulator, settings: FeedSettings) -> CcxtTradeFeed:
    return CcxtTradeFeed(emu.ccxt_exchange_id, emu.ccxt_config(), settings=settings)


def test_a_drop_reconnects_and_backfills_through_a_rate_limit() -> None:
    trades = history(PAIR, 7)
    # The first REST data request (the backfill) is answered 429: the feed backs off and asks again.
    faults = FaultPlan(drop_after=3, http_429_on=(1,), retry_after=0)

    async def main() -> list[str | None]:
        async with VenueEmulator(script=script(trades), faults=faults) as emu:
            feed = make_feed(emu, FeedSettings(backoff=POLICY, stale_after_s=None))
            await feed.subscribe([PAIR])
            async with feed:
                await emu.wait_for_subscribers(PAIR, venue="binance")
                assert await push(emu, *trades[:3]) == 3
                await wait_until(lambda: emu.stats.drops == 1)
                assert await push(emu, *trades[3:5]) == 0
                await emu.wait_for_subscribers(PAIR, venue="binance")
                await push(emu, *trades[5:])
                got = await take_trades(feed.events(), 7)
            assert feed.counters.reconnects == 1
            assert feed.counters.gaps_detected == 1
            assert feed.counters.backfilled == 3
            assert emu.stats.responses_429 == 1
            assert len(emu.stats.requests_to("/api/v3/aggTrades", 200)) == 1
            return [t.trade_id for t in got]

    assert asyncio.run(main()) == [str(i) for i in range(1, 8)]


def test_a_stall_times_out_and_reconnects() -> None:
    trades = history(PAIR, 4)
    faults = FaultPlan(stall_after=2, stall_seconds=3.0)

    async def main() -> list[str | None]:
        async with VenueEmulator(script=script(trades), faults=faults) as emu:
            settings = FeedSettings(backoff=POLICY, stale_after_s=0.5, tick_s=0.05)
            feed = make_feed(emu, settings)
            await feed.subscribe([PAIR])
            async with feed:
                await emu.wait_for_subscribers(PAIR, venue="binance")
                await push(emu, *trades[:3])
                first = await take_trades(feed.events(), 2)
                await wait_until(lambda: emu.stats.connections == 2)
                await emu.wait_for_subscribers(PAIR, venue="binance")
                await push(emu, trades[3])
                rest = await take_trades(feed.events(), 2)
            assert feed.counters.stale_timeouts >= 1
            return [t.trade_id for t in first + rest]

    assert asyncio.run(main()) == ["1", "2", "3", "4"]


def test_duplicates_and_reordering_give_a_clean_stream() -> None:
    trades = history(PAIR, 12, step_ms=1)
    faults = FaultPlan(duplicate_every=2, reorder_every=3)

    async def main() -> list[str | None]:
        async with VenueEmulator(script=script(trades), faults=faults) as emu:
            settings = FeedSettings(backoff=POLICY, stale_after_s=None, reorder_window_s=0.4)
            feed = make_feed(emu, settings)
            await feed.subscribe([PAIR])
            async with feed:
                await emu.wait_for_subscribers(PAIR, venue="binance")
                await push(emu, *trades)
                got = await take_trades(feed.events(), 12)
            assert feed.counters.duplicates_dropped >= 1
            assert feed.counters.late_dropped == 0
            return [t.trade_id for t in got]

    assert asyncio.run(main()) == [str(i) for i in range(1, 13)]
