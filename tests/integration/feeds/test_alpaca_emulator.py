"""AlpacaTradeFeed against the emulator: drops, stalls, duplicates and reordering."""

from __future__ import annotations

import asyncio
from pathlib import Path

from quantrail.data.feeds import FeedSettings, Recorder, ReplayFeed, Trade
from quantrail.data.feeds.alpaca_feed import AlpacaTradeFeed
from quantrail.emulator import FaultPlan, VenueEmulator

from .emuhelp import POLICY, history, push, script, take_trades, wait_until


def make_feed(emu: VenueEmulator, settings: FeedSettings, **kwargs: object) -> AlpacaTradeFeed:
    return AlpacaTradeFeed(
        "key",
        "secret",
        stream_url=emu.alpaca_stream_url,
        rest_url=emu.alpaca_rest_url,
        settings=settings,
        **kwargs,  # type: ignore[arg-type]
    )


def ids(trades: list[Trade]) -> list[str | None]:
    return [t.trade_id for t in trades]


def test_a_drop_reconnects_and_backfills_the_missed_trades_first(tmp_path: Path) -> None:
    trades = history("AAPL", 7)
    recording = tmp_path / "alpaca.jsonl"

    async def main() -> list[str | None]:
        async with VenueEmulator(script=script(trades), faults=FaultPlan(drop_after=3)) as emu:
            with Recorder(recording) as recorder:
                feed = make_feed(
                    emu, FeedSettings(backoff=POLICY, stale_after_s=None), recorder=recorder
                )
                await feed.subscribe(["AAPL"])
                async with feed:
                    await emu.wait_for_subscribers("AAPL", venue="alpaca")
                    assert await push(emu, *trades[:3]) == 3  # the 3rd is the last before the drop
                    await wait_until(lambda: emu.stats.drops == 1)
                    assert await push(emu, *trades[3:5]) == 0  # nobody is connected
                    await emu.wait_for_subscribers("AAPL", venue="alpaca")
                    await push(emu, *trades[5:])
                    got = await take_trades(feed.events(), 7)
            assert feed.counters.reconnects == 1
            assert feed.counters.gaps_detected == 1
            assert feed.counters.backfilled == 3  # 4, 5, 6; 3 and 6 were already seen
            assert emu.stats.requests_to("/v2/stocks/trades", 200)
            return ids(got)

    assert asyncio.run(main()) == [str(i) for i in range(1, 8)]

    async def replay() -> list[str | None]:
        feed = ReplayFeed.from_recording(recording)
        task = asyncio.create_task(feed.run())
        got = await take_trades(feed.events(), 7)
        await task
        return ids(got)

    assert asyncio.run(replay()) == [str(i) for i in range(1, 8)]


def test_a_stall_times_out_and_the_new_connection_backfills() -> None:
    trades = history("AAPL", 4)
    faults = FaultPlan(stall_after=2, stall_seconds=3.0)

    async def main() -> list[str | None]:
        async with VenueEmulator(script=script(trades), faults=faults) as emu:
            settings = FeedSettings(backoff=POLICY, stale_after_s=0.5, tick_s=0.05)
            feed = make_feed(emu, settings)
            await feed.subscribe(["AAPL"])
            async with feed:
                await emu.wait_for_subscribers("AAPL", venue="alpaca")
                await push(emu, *trades[:3])  # 3 is queued behind the stall
                first = await take_trades(feed.events(), 2)
                await wait_until(lambda: emu.stats.connections == 2)
                await emu.wait_for_subscribers("AAPL", venue="alpaca")
                await push(emu, trades[3])
                rest = await take_trades(feed.events(), 2)
            assert feed.counters.stale_timeouts >= 1
            assert feed.counters.backfilled == 2
            return ids(first + rest)

    assert asyncio.run(main()) == ["1", "2", "3", "4"]


def test_duplicates_and_reordering_from_the_venue_give_a_clean_stream() -> None:
    trades = history("AAPL", 12, step_ms=1)
    faults = FaultPlan(duplicate_every=2, reorder_every=3)

    async def main() -> list[str | None]:
        async with VenueEmulator(script=script(trades), faults=faults) as emu:
            settings = FeedSettings(backoff=POLICY, stale_after_s=None, reorder_window_s=0.4)
            feed = make_feed(emu, settings)
            await feed.subscribe(["AAPL"])
            async with feed:
                await emu.wait_for_subscribers("AAPL", venue="alpaca")
                await push(emu, *trades)
                got = await take_trades(feed.events(), 12)
            assert emu.stats.duplicates_sent >= 5
            assert emu.stats.reordered >= 3
            assert feed.counters.duplicates_dropped == emu.stats.duplicates_sent
            assert feed.counters.late_dropped == 0
            return ids(got)

    assert asyncio.run(main()) == [str(i) for i in range(1, 13)]
