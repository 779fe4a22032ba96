"""The Ingestor: batching by size and delay, the final flush, bars, errors, counters."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from quantrail.core.bar import Bar
from quantrail.core.errors import DataError
from quantrail.data.feeds import Quote, Trade
from quantrail.data.feeds.events import FeedEvent
from quantrail.data.ingest import BatchPolicy, Ingestor, open_trade_sink
from quantrail.data.store import open_store
from quantrail.runtime.clock import SimulatedClock

from .helpers import T0, stored_rows

S = 1_000_000_000


def trades(n: int, symbol: str = "AAPL") -> list[Trade]:
    return [Trade(symbol, T0 + i, 100.0 + i, 1.0, str(i)) for i in range(n)]


async def feed_of(
    events: Sequence[FeedEvent], then: asyncio.Event | None = None
) -> AsyncIterator[FeedEvent]:
    """The events, then (optionally) a wait for ``then`` before the stream ends."""
    for event in events:
        yield event
    if then is not None:
        await then.wait()


class Commits:
    def __init__(self) -> None:
        self.trade_batches: list[list[Trade]] = []
        self.bar_batches: list[list[Bar]] = []
        self.stamps: list[int] = []

    def __call__(self, trades: Sequence[Trade], bars: Sequence[Bar], commit_ns: int) -> None:
        if trades:
            self.trade_batches.append(list(trades))
        if bars:
            self.bar_batches.append(list(bars))
        self.stamps.append(commit_ns)


class RecordingSink:
    """A sink that keeps the batches and the thread each was written from."""

    url = "memory://"

    def __init__(self, fail_on: int | None = None, delay_s: float = 0.0) -> None:
        self.batches: list[list[Trade]] = []
        self.threads: set[str] = set()
        self._fail_on = fail_on
        self._delay_s = delay_s

    def write(self, trades: Sequence[Trade]) -> int:
        self.threads.add(threading.current_thread().name)
        if self._delay_s:
            time.sleep(self._delay_s)
        if self._fail_on is not None and len(self.batches) + 1 == self._fail_on:
            raise DataError("the database went away")
        self.batches.append(list(trades))
        return len(trades)

    def count(self) -> int:
        return sum(map(len, self.batches))

    def close(self) -> None:
        pass

    def __enter__(self) -> RecordingSink:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_every_trade_is_committed_in_order_and_counted(sink_url: str) -> None:
    commits = Commits()
    quote = Quote("AAPL", T0, 99.0, 101.0, 1.0, 1.0)
    events: list[FeedEvent] = [*trades(7), quote, *trades(5, "MSFT")]

    async def main() -> None:
        with open_trade_sink(sink_url) as sink:
            ingestor = Ingestor(trades=sink, policy=BatchPolicy(max_rows=4), on_commit=commits)
            async with asyncio.timeout(10):
                counters = await ingestor.run(feed_of(events))
            assert counters.trades_received == counters.trades_committed == 12
            assert counters.trade_batches == len(commits.trade_batches) == 3
            assert counters.largest_batch == 4
            assert counters.bars_received == counters.bars_committed == 0
            assert ingestor.pending == 0

    asyncio.run(main())
    assert [len(b) for b in commits.trade_batches] == [4, 4, 4]
    assert [t for b in commits.trade_batches for t in b] == [e for e in events if e is not quote]
    assert len(stored_rows(sink_url)) == 12


def test_a_full_batch_goes_at_once_and_a_partial_one_after_the_delay() -> None:
    sink = RecordingSink()
    commits = Commits()
    policy = BatchPolicy(max_delay_s=0.2, max_rows=3)
    clock = SimulatedClock(42)

    async def main() -> None:
        more = asyncio.Event()
        ingestor = Ingestor(trades=sink, policy=policy, clock=clock, on_commit=commits)
        task = asyncio.create_task(ingestor.run(feed_of(trades(4), then=more)))
        async with asyncio.timeout(5):
            while not sink.batches:
                await asyncio.sleep(0.005)
            started = asyncio.get_running_loop().time()
            assert [len(b) for b in sink.batches] == [3]  # full: no wait for the delay
            while len(sink.batches) < 2:
                await asyncio.sleep(0.005)
            waited = asyncio.get_running_loop().time() - started
            assert 0.1 < waited < 1.0  # the lone 4th trade waited about max_delay_s
            more.set()
            await task

    asyncio.run(main())
    assert [len(b) for b in sink.batches] == [3, 1]
    assert commits.stamps == [42, 42]  # the injected clock stamps commits
    assert sink.threads == {"quantrail-ingest-trades_0"}  # one worker thread, never the loop


def test_the_end_of_the_feed_commits_at_once_whatever_the_delay() -> None:
    sink = RecordingSink()

    async def main() -> float:
        ingestor = Ingestor(trades=sink, policy=BatchPolicy(max_delay_s=60.0))
        start = time.perf_counter()
        async with asyncio.timeout(5):
            await ingestor.run(feed_of(trades(3)))
        return time.perf_counter() - start

    assert asyncio.run(main()) < 2.0
    assert [len(b) for b in sink.batches] == [3]


def test_rows_arriving_during_a_slow_commit_form_the_next_batch() -> None:
    sink = RecordingSink(delay_s=0.2)

    async def slow_feed() -> AsyncIterator[FeedEvent]:
        for trade in trades(10):
            yield trade
            await asyncio.sleep(0.03)

    async def main() -> None:
        ingestor = Ingestor(trades=sink, policy=BatchPolicy(max_delay_s=0.0))
        async with asyncio.timeout(10):
            await ingestor.run(slow_feed())

    asyncio.run(main())
    sizes = [len(b) for b in sink.batches]
    assert sum(sizes) == 10
    assert len(sizes) < 10  # batches grew while commits were in flight
    assert sizes[0] == 1  # nothing waits for company when max_delay_s is 0


def test_bars_go_to_the_bar_store_and_trades_to_the_sink(tmp_path: Path) -> None:
    bars = [
        Bar("AAPL", T0 + S, T0, 1.0, 2.0, 0.5, 1.5, 10.0),
        Bar("MSFT", T0 + S, T0, 3.0, 3.0, 3.0, 3.0, 1.0),
        Bar("AAPL", T0 + 2 * S, T0 + S, 1.5, 1.5, 1.5, 1.5, 2.0),
    ]
    commits = Commits()
    url = f"duckdb:///{tmp_path / 'bars.duckdb'}"

    async def main() -> None:
        with (
            open_trade_sink(f"duckdb:///{tmp_path / 'trades.duckdb'}") as sink,
            open_store(url) as store,
        ):
            ingestor = Ingestor(trades=sink, bars=store, on_commit=commits, bar_source="t")
            async with asyncio.timeout(10):
                counters = await ingestor.run(feed_of([bars[0], *trades(2), bars[1], bars[2]]))
            assert counters.bars_received == counters.bars_committed == 3
            assert counters.bar_batches == 1
            assert counters.trades_committed == 2

    asyncio.run(main())
    assert [b.symbol for batch in commits.bar_batches for b in batch] == ["AAPL", "MSFT", "AAPL"]
    with open_store(url, read_only=True) as store:
        aapl = store.read("AAPL", S)
        assert aapl.close.tolist() == [1.5, 1.5]
        assert aapl.ts.tolist() == [T0 + S, T0 + 2 * S]
        assert store.read("MSFT", S).source == f"{url}#MSFT@1s"
        assert [s.symbol for s in store.list()] == ["AAPL", "MSFT"]


def test_without_a_destination_a_kind_is_ignored() -> None:
    sink = RecordingSink()

    async def main() -> None:
        ingestor = Ingestor(trades=sink)
        bar = Bar("AAPL", T0 + S, T0, 1.0, 1.0, 1.0, 1.0, 1.0)
        counters = await ingestor.run(feed_of([bar, *trades(2)]))
        assert counters.bars_received == 0
        assert counters.trades_committed == 2

    asyncio.run(main())


def test_a_failed_write_stops_the_run_even_while_the_feed_is_silent() -> None:
    sink = RecordingSink(fail_on=2)

    async def main() -> None:
        never = asyncio.Event()
        ingestor = Ingestor(trades=sink, policy=BatchPolicy(max_delay_s=0.01, max_rows=2))
        async with asyncio.timeout(5):
            with pytest.raises(DataError, match="went away"):
                await ingestor.run(feed_of(trades(5), then=never))
        assert ingestor.counters.trades_committed == 2

    asyncio.run(main())
    assert [len(b) for b in sink.batches] == [2]


def test_the_feed_error_is_raised_after_what_it_delivered_is_committed() -> None:
    sink = RecordingSink()

    async def broken() -> AsyncIterator[FeedEvent]:
        for trade in trades(3):
            yield trade
        raise ConnectionError("venue gone for good")

    async def main() -> None:
        ingestor = Ingestor(trades=sink, policy=BatchPolicy(max_delay_s=30.0))
        async with asyncio.timeout(5):
            with pytest.raises(ConnectionError, match="for good"):
                await ingestor.run(broken())

    asyncio.run(main())
    assert [len(b) for b in sink.batches] == [3]


def test_cancelling_the_run_waits_for_the_write_in_flight() -> None:
    sink = RecordingSink(delay_s=0.3)

    async def main() -> None:
        never = asyncio.Event()
        ingestor = Ingestor(trades=sink, policy=BatchPolicy(max_delay_s=0.0))
        task = asyncio.create_task(ingestor.run(feed_of(trades(2), then=never)))
        await asyncio.sleep(0.1)  # the first write is in flight on the worker thread
        task.cancel()
        async with asyncio.timeout(5):
            with pytest.raises(asyncio.CancelledError):
                await task
        assert sink.batches  # it finished before run() returned: the sink may be closed now

    asyncio.run(main())
