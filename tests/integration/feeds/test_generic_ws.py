"""The generic ResilientFeed over a real websocket (a tiny venue written with `websockets`)."""

from __future__ import annotations

import asyncio

from quantrail.data.feeds import BackoffPolicy, FeedSettings, ResilientFeed, Trade

from .wsvenue import WsTransport, WsVenue

S = 1_000_000_000
FAST = BackoffPolicy(base_s=0.05, cap_s=0.2, seed=1)


def trade(i: int, symbol: str = "AAA") -> Trade:
    return Trade(symbol, (1_700_000_000 + i) * S, 100.0 + i, 1.0, str(i))


async def take(feed: ResilientFeed, n: int, timeout: float = 5.0) -> list[Trade]:
    out: list[Trade] = []
    events = feed.events()
    async with asyncio.timeout(timeout):
        while len(out) < n:
            event = await anext(events)
            assert isinstance(event, Trade)
            out.append(event)
    return out


def test_a_dropped_socket_reconnects_and_backfills_in_order() -> None:
    async def main() -> None:
        async with WsVenue() as venue:
            feed = ResilientFeed(
                WsTransport(venue.url),
                backfill=venue.backfill,
                settings=FeedSettings(backoff=FAST, stale_after_s=None),
            )
            await feed.subscribe(["AAA"])
            async with feed:
                await venue.wait_connected(1)
                await venue.push(trade(1), trade(2))
                assert [t.trade_id for t in await take(feed, 2)] == ["1", "2"]
                venue.drop()
                for i in (3, 4, 5):
                    await venue.push(trade(i))  # nobody is connected: only REST has them
                await venue.wait_connected(2)
                await venue.push(trade(6), trade(5))  # the venue resends 5 after 6
                got = await take(feed, 4)
            assert [t.trade_id for t in got] == ["3", "4", "5", "6"]
            assert feed.counters.reconnects == 1
            assert feed.counters.gaps_detected == 1
            assert feed.counters.backfilled == 4

    asyncio.run(main())


def test_a_stalled_socket_times_out_and_reconnects() -> None:
    async def main() -> None:
        async with WsVenue() as venue:
            settings = FeedSettings(backoff=FAST, stale_after_s=0.3, tick_s=0.02)
            feed = ResilientFeed(WsTransport(venue.url), backfill=venue.backfill, settings=settings)
            await feed.subscribe(["AAA"])
            async with feed:
                await venue.wait_connected(1)
                await venue.push(trade(1))
                await take(feed, 1)
                venue.stalled = True  # socket open, nothing flows
                await venue.push(trade(2))
                await venue.wait_connected(2)
                venue.stalled = False
                await venue.push(trade(3))
                got = await take(feed, 2)
            assert [t.trade_id for t in got] == ["2", "3"]
            assert feed.counters.stale_timeouts >= 1

    asyncio.run(main())
