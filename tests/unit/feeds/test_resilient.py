"""ResilientFeed orchestration under virtual time: reconnects, staleness, backfill, closing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from quantrail.core.bar import Bar
from quantrail.core.errors import RateLimited, VenueRejected, VenueUnavailable
from quantrail.data.feeds import (
    Backoff,
    BackoffPolicy,
    BarBuilder,
    FeedSettings,
    ResilientFeed,
)

from .helpers import Collector, History, S, ScriptedTransport, VirtualTime, trade

POLICY = BackoffPolicy(base_s=1.0, cap_s=8.0, factor=2.0, jitter=0.5, seed=3)


def scenario(body: Callable[..., Awaitable[None]], **feed_kwargs: Any) -> None:
    """Run ``body(vt, transport, feed, collector, history)`` with a started feed."""

    async def main() -> None:
        vt = VirtualTime()
        transport = ScriptedTransport(fail_connects=feed_kwargs.pop("fail_connects", 0))
        transport.clock = vt
        history = History()
        settings = feed_kwargs.pop(
            "settings", FeedSettings(backoff=POLICY, stale_after_s=None, tick_s=None)
        )
        feed = ResilientFeed(
            transport,
            backfill=history.backfill,
            settings=settings,
            clock=vt,
            sleep=vt.sleep,
            **feed_kwargs,
        )
        await feed.subscribe(["A", "B"])
        collector = Collector(feed)
        run = asyncio.create_task(feed.run())
        await vt.advance(0)
        await body(vt, transport, feed, collector, history)
        await feed.close()
        await run
        await collector.task

    asyncio.run(main())


def test_reconnects_follow_the_seeded_backoff_schedule() -> None:
    async def body(
        vt: VirtualTime, transport: ScriptedTransport, feed: ResilientFeed, *_: Any
    ) -> None:
        await vt.advance(60)
        expected = Backoff(POLICY)
        moment = 1_000 * S
        times = [moment]
        for _attempt in range(4):
            moment += round(expected.next_delay() * S)
            times.append(moment)
        assert [call[0] for call in transport.connect_calls] == times
        assert transport.connect_calls[0][1] == ["A", "B"]
        assert feed.counters.connects == 1
        assert feed.counters.reconnects == 0

    scenario(body, fail_connects=4)


def test_a_dropped_connection_reconnects_and_data_resets_the_backoff() -> None:
    async def body(
        vt: VirtualTime, transport: ScriptedTransport, feed: ResilientFeed, *_: Any
    ) -> None:
        for n in range(3):
            transport.push(trade("A", 1000 + n, tid=n))
            await vt.advance(0)
            transport.drop()
            await vt.advance(0)
            # Data was received on every connection, so each retry waits the first delay.
            assert len(transport.connect_calls) == n + 1
            await vt.advance(POLICY.base_s)
        assert feed.counters.reconnects == 3
        assert feed.counters.disconnects == 3
        assert all(0.5 <= d <= 1.0 for d in vt.slept)

    scenario(body)


def test_a_rate_limit_backs_off_one_step_further() -> None:
    async def body(vt: VirtualTime, transport: ScriptedTransport, *_: Any) -> None:
        transport.drop(RateLimited("slow down"))
        await vt.advance(0)
        assert POLICY.ceiling(1) * 0.5 <= vt.slept[-1] <= POLICY.ceiling(1)

    scenario(body)


def test_silence_on_an_open_instrument_forces_a_reconnect() -> None:
    settings = FeedSettings(backoff=POLICY, stale_after_s=5.0, tick_s=1.0)

    async def body(
        vt: VirtualTime, transport: ScriptedTransport, feed: ResilientFeed, *_: Any
    ) -> None:
        transport.push(trade("A", 1, tid=1), trade("B", 1, tid=1))
        await vt.advance(4)
        transport.push(trade("A", 2, tid=2))  # B stays silent
        await vt.advance(1.5)
        assert feed.counters.stale_timeouts == 0  # B: 5 s at the tick at 5 s is allowed
        await vt.advance(1)
        assert feed.counters.stale_timeouts == 1  # B: 6 s > 5 s at the tick at 6 s
        assert feed.counters.disconnects == 1
        assert transport.closes >= 1

    scenario(body, settings=settings)


def test_no_stale_timeout_while_the_session_is_closed() -> None:
    settings = FeedSettings(backoff=POLICY, stale_after_s=5.0, tick_s=1.0)

    async def body(
        vt: VirtualTime, transport: ScriptedTransport, feed: ResilientFeed, *_: Any
    ) -> None:
        await vt.advance(600)
        assert feed.counters.stale_timeouts == 0
        assert len(transport.connect_calls) == 1

    scenario(body, settings=settings, is_open=lambda symbol, ts: False)


def test_gap_after_reconnect_is_backfilled_before_newer_trades() -> None:
    async def body(
        vt: VirtualTime,
        transport: ScriptedTransport,
        feed: ResilientFeed,
        collector: Collector,
        history: History,
    ) -> None:
        history.trades = [trade("A", s, tid=s) for s in range(1, 9)]
        transport.push(*history.trades[:3])  # 1, 2, 3 live
        await vt.advance(0)
        transport.drop()
        await vt.advance(10)  # 4..6 happened while we were away
        transport.push(history.trades[6], history.trades[5], history.trades[7])  # 7, 6, 8
        await vt.advance(0)
        assert [t.trade_id for t in collector.trades()] == [str(i) for i in range(1, 9)]
        assert history.calls == [("A", 3 * S, 7 * S)]
        assert feed.counters.gaps_detected == 1
        assert feed.counters.backfilled == 4  # 4, 5, 6, 7
        assert feed.counters.duplicates_dropped == 3  # 3 (overlap), 7 and 6 (stream)

    scenario(body)


def test_backfill_retries_then_gives_up_and_the_stream_goes_on() -> None:
    settings = FeedSettings(backoff=POLICY, stale_after_s=None, backfill_attempts=2)

    async def body(
        vt: VirtualTime,
        transport: ScriptedTransport,
        feed: ResilientFeed,
        collector: Collector,
        history: History,
    ) -> None:
        history.trades = [trade("A", s, tid=s) for s in range(1, 5)]
        transport.push(history.trades[0])
        await vt.advance(0)
        transport.drop()
        await vt.advance(5)
        history.failures = [RateLimited("429"), VenueUnavailable("500")]
        transport.push(history.trades[3])
        await vt.advance(10)
        assert len(history.calls) == 2
        assert feed.counters.backfill_failures == 1
        assert [t.trade_id for t in collector.trades()] == ["1", "4"]

    scenario(body, settings=settings)


def test_a_fatal_error_stops_the_feed_and_reaches_the_consumer() -> None:
    async def main() -> None:
        vt = VirtualTime()
        transport = ScriptedTransport()
        feed = ResilientFeed(
            transport, settings=FeedSettings(stale_after_s=None), clock=vt, sleep=vt.sleep
        )
        collector = Collector(feed)
        run = asyncio.create_task(feed.run())
        await vt.advance(0)
        transport.push(trade("A", 1))
        transport.drop(VenueRejected("bad symbol"))
        with pytest.raises(VenueRejected):
            await run
        await collector.task
        assert isinstance(collector.error, VenueRejected)
        assert len(collector.items) == 1
        assert transport.closes >= 1

    asyncio.run(main())


def test_subscribe_while_connected_and_bars_by_deadline() -> None:
    settings = FeedSettings(backoff=POLICY, stale_after_s=None, tick_s=1.0)

    async def body(
        vt: VirtualTime,
        transport: ScriptedTransport,
        feed: ResilientFeed,
        collector: Collector,
        _: History,
    ) -> None:
        await feed.subscribe(["C", "A"])
        assert transport.subscribed == [["C"]]
        assert feed.symbols == ["A", "B", "C"]
        transport.push(trade("C", 1_000.5, price=3.0))
        await vt.advance(0)
        assert [type(e).__name__ for e in collector.items] == ["Trade"]
        await vt.advance(61)  # bar [960 s, 1020 s) + 1 s grace, emitted by a watchdog tick
        bars = [e for e in collector.items if isinstance(e, Bar)]
        assert [(b.ts, b.close) for b in bars] == [(1_020 * S, 3.0)]

    scenario(body, settings=settings, bar_builder=BarBuilder(60 * S, grace_ns=S))


def test_close_before_run_and_context_manager() -> None:
    async def main() -> None:
        transport = ScriptedTransport()
        idle = ResilientFeed(transport, settings=FeedSettings(stale_after_s=None))
        await idle.close()
        assert [e async for e in idle.events()] == []

        vt = VirtualTime()
        feed = ResilientFeed(
            ScriptedTransport(), settings=FeedSettings(stale_after_s=None), clock=vt, sleep=vt.sleep
        )
        async with feed:
            await vt.advance(0)
            feed.transport.push(trade("A", 1))  # type: ignore[attr-defined]
            await vt.advance(0)
        assert [e async for e in feed.events()] == [trade("A", 1)]
        with pytest.raises(RuntimeError, match="already running"):
            await feed.run()

    asyncio.run(main())


def test_a_refused_backfill_leaves_the_gap_and_keeps_streaming() -> None:
    async def body(
        vt: VirtualTime,
        transport: ScriptedTransport,
        feed: ResilientFeed,
        collector: Collector,
        history: History,
    ) -> None:
        transport.push(trade("A", 1, tid=1))
        await vt.advance(0)
        transport.drop()
        await vt.advance(5)
        history.failures = [VenueRejected("invalid symbol")]
        transport.push(trade("A", 9, tid=9))
        await vt.advance(0)
        assert len(history.calls) == 1  # refused: not retried
        assert feed.counters.backfill_failures == 1
        assert [t.trade_id for t in collector.trades()] == ["1", "9"]

    scenario(body)
