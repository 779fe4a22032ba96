"""End to end on 127.0.0.1: emulator -> AlpacaTradeFeed -> Ingestor -> DuckDB / PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from quantrail.data.feeds import BarBuilder, FeedSettings
from quantrail.data.feeds.alpaca_feed import AlpacaTradeFeed
from quantrail.data.ingest import BatchPolicy, Ingestor, open_trade_sink
from quantrail.data.store import open_store
from quantrail.emulator import VenueEmulator

from .helpers import T0, stored_rows

S = 1_000_000_000
SYMBOLS = ["AAPL", "MSFT", "SPY"]


async def ingest_pushed(
    sink_url: str, n: int, bar_url: str | None = None, t0: int = T0
) -> tuple[int, int]:
    """Push ``n`` trades, 100 ms apart from ``t0``, round-robin, through the feed."""
    async with VenueEmulator() as emu:
        builder = BarBuilder(S) if bar_url is not None else None
        feed = AlpacaTradeFeed(
            "key",
            "secret",
            stream_url=emu.alpaca_stream_url,
            rest_url=emu.alpaca_rest_url,
            settings=FeedSettings(stale_after_s=None),
            bar_builder=builder,
        )
        with open_trade_sink(sink_url) as sink:
            bar_store = open_store(bar_url) if bar_url is not None else None
            try:
                ingestor = Ingestor(
                    trades=sink, bars=bar_store, policy=BatchPolicy(max_delay_s=0.01)
                )
                await feed.subscribe(SYMBOLS)
                async with asyncio.timeout(20):
                    async with feed:
                        task = asyncio.create_task(ingestor.run(feed.events()))
                        for symbol in SYMBOLS:
                            await emu.wait_for_subscribers(symbol, venue="alpaca")
                        for i in range(n):
                            price = 100.0 + i / 4
                            await emu.push_trade(SYMBOLS[i % 3], price, i + 1, t0 + i * S // 10)
                        while ingestor.counters.trades_committed < n:
                            await asyncio.sleep(0.01)
                    counters = await task  # the feed closed: the stream ended
            finally:
                if bar_store is not None:
                    bar_store.close()
    return counters.trades_committed, counters.bars_committed


def test_pushed_trades_are_stored_exactly_once(sink_url: str) -> None:
    committed, _ = asyncio.run(ingest_pushed(sink_url, 60))
    assert committed == 60
    rows = stored_rows(sink_url)
    expected = sorted(
        (SYMBOLS[i % 3], T0 + i * S // 10, 100.0 + i / 4, float(i + 1), str(i + 1))
        for i in range(60)
    )
    assert rows == expected  # ids are the emulator's 1, 2, 3... in push order


def test_bars_built_from_the_stream_reach_the_bar_store(tmp_path: Path) -> None:
    trades_url = f"duckdb:///{tmp_path / 'trades.duckdb'}"
    bars_url = f"duckdb:///{tmp_path / 'bars.duckdb'}"
    # 25 trades 100 ms apart over seconds 0-2 of a grid 10 s ahead of the wall clock: a bar
    # closes when the next second's first trade arrives, never by the clock during the test,
    # and the open bars of second 2 are not stored when the feed closes.
    t0 = (time.time_ns() // S + 10) * S
    committed, bars = asyncio.run(ingest_pushed(trades_url, 25, bars_url, t0))
    assert (committed, bars) == (25, 6)
    with open_store(bars_url, read_only=True) as store:
        aapl = store.read("AAPL", S)
        assert sorted(s.symbol for s in store.list()) == SYMBOLS
    # AAPL traded at i = 0, 3, 6, 9 | 12, 15, 18 | 21, 24.
    assert aapl.ts_open.tolist() == [t0, t0 + S]
    assert aapl.ts.tolist() == [t0 + S, t0 + 2 * S]
    assert aapl.open.tolist() == [100.0, 103.0]
    assert aapl.close.tolist() == [102.25, 104.5]
    assert aapl.volume.tolist() == [1 + 4 + 7 + 10, 13 + 16 + 19]
