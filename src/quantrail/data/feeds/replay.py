"""Replaying a recorded session, or a bar file, at real or accelerated pace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from quantrail.core.bar import Bar
from quantrail.data.config import DataConfig
from quantrail.data.feeds._aio import End, EventStream
from quantrail.data.feeds.backoff import BackoffPolicy
from quantrail.data.feeds.bars import BarBuilder
from quantrail.data.feeds.events import (
    FeedCounters,
    FeedEvent,
    SleepFn,
)
from quantrail.data.feeds.parsers import Parser
from quantrail.data.feeds.recorder import RecordEntry, read_recording
from quantrail.data.feeds.replay_transport import Pacer, ReplayTransport
from quantrail.data.feeds.resilient import ResilientFeed
from quantrail.data.feeds.settings import PIPELINE_SETTINGS, FeedSettings
from quantrail.data.loader import load_bars
from quantrail.data.merge import merge_frames
from quantrail.runtime.clock import SimulatedClock

__all__ = ["ReplayFeed"]


class ReplayFeed:
    """A :class:`~quantrail.data.feeds.FeedClient` over a recording or bar files.

    Build one with :meth:`from_recording` or :meth:`from_bars`. Time comes from
    :attr:`clock`, a simulated clock set to each entry's recorded time (bars: their close)
    as it is played; an engine can share it. Pace is ``speed`` times real time through the
    injected ``sleep``; ``speed=0`` plays as fast as possible.
    """

    def __init__(self, clock: SimulatedClock) -> None:
        self.clock = clock
        self.counters = FeedCounters()
        self._inner: ResilientFeed | None = None
        self._transport: ReplayTransport | None = None
        self._bars: Callable[[], AsyncIterator[Bar]] | None = None
        self._only: set[str] | None = None
        self._queue: asyncio.Queue[FeedEvent | End] = asyncio.Queue()
        self._closed = False
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_recording(
        cls,
        path: Path,
        *,
        speed: float = 0.0,
        sleep: SleepFn = asyncio.sleep,
        symbols: Sequence[str] | None = None,
        settings: FeedSettings | None = None,
        parsers: Mapping[str, Parser] | None = None,
        bar_builder: BarBuilder | None = None,
    ) -> ReplayFeed:
        """Replay a :class:`~quantrail.data.feeds.Recorder` file through the live pipeline.

        ``settings`` must repeat the live feed's ``reorder_window_s``, ``gap_tolerance_s``,
        ``sequential_ids`` and ``dedupe_memory`` for the events to match; by default they
        are read from the recording's first ``connect`` entry. Staleness and backoff are
        off: the recording says where the connection dropped.
        """
        entries = read_recording(path)
        head: list[RecordEntry] = []
        for entry in entries:  # up to the first connect, which holds the live settings
            head.append(entry)
            if entry.kind == "connect":
                break
        connect = head[-1] if head and head[-1].kind == "connect" else None
        recorded = dict(connect.detail.get("pipeline", {})) if connect is not None else {}
        if settings is None:
            settings = FeedSettings(**{k: v for k, v in recorded.items() if k in PIPELINE_SETTINGS})
        replay_settings = FeedSettings(
            backoff=BackoffPolicy(base_s=0.0, cap_s=0.0, jitter=0.0),
            stale_after_s=None,
            tick_s=None,
            reorder_window_s=settings.reorder_window_s,
            gap_tolerance_s=settings.gap_tolerance_s,
            sequential_ids=settings.sequential_ids,
            dedupe_memory=settings.dedupe_memory,
            backfill_attempts=1,
        )
        feed = cls(SimulatedClock(head[0].recv_ns if head else 0))
        chained = _chain(head, entries)
        transport = ReplayTransport(chained, Pacer(feed.clock, sleep, speed), parsers, symbols)
        inner = ResilientFeed(
            transport,
            backfill=transport.backfill,
            settings=replay_settings,
            clock=feed.clock,
            sleep=sleep,
            bar_builder=bar_builder,
        )
        transport.on_symbols = inner.subscribe
        feed._inner, feed._transport, feed.counters = inner, transport, inner.counters
        return feed

    @classmethod
    def from_bars(
        cls,
        configs: Sequence[DataConfig],
        *,
        base_dir: Path | None = None,
        speed: float = 0.0,
        sleep: SleepFn = asyncio.sleep,
    ) -> ReplayFeed:
        """Replay bar files (read with :func:`~quantrail.data.load_bars`) in close order."""
        stream = merge_frames([load_bars(cfg, base_dir) for cfg in configs])
        feed = cls(SimulatedClock(int(stream.ts[0]) if len(stream) else 0))
        pacer = Pacer(feed.clock, sleep, speed)

        async def bars() -> AsyncIterator[Bar]:
            for k in range(len(stream)):
                ts = int(stream.ts[k])
                await pacer.wait_until(ts)
                yield Bar(
                    stream.symbols[int(stream.symbol_index[k])],
                    ts,
                    int(stream.ts_open[k]),
                    float(stream.open[k]),
                    float(stream.high[k]),
                    float(stream.low[k]),
                    float(stream.close[k]),
                    float(stream.volume[k]),
                    float(stream.bid[k]),
                    float(stream.ask[k]),
                    int(stream.session[k]),
                )

        feed._bars = bars
        return feed

    def events(self) -> AsyncIterator[FeedEvent]:
        """Iterate over the replayed events; ends with the recording."""
        return self._inner.events() if self._inner is not None else EventStream(self._queue)

    async def subscribe(self, symbols: Sequence[str]) -> None:
        """Bar replays: keep only these symbols (call before :meth:`run`)."""
        if self._inner is not None:
            await self._inner.subscribe(symbols)
        else:
            self._only = (self._only or set()) | set(symbols)

    async def run(self) -> None:
        """Play until the end (or :meth:`close`)."""
        if self._inner is not None:
            try:
                await self._inner.run()
            finally:
                if self._transport is not None:
                    self._transport.finish()
            return
        error: Exception | None = None
        try:
            assert self._bars is not None
            async for bar in self._bars():
                if self._closed:
                    break
                if self._only is None or bar.symbol in self._only:
                    self._queue.put_nowait(bar)
                    self.counters.bars_emitted += 1
        except Exception as exc:
            error = exc
            raise
        finally:
            self._queue.put_nowait(End(error))

    async def close(self) -> None:
        """Stop playing."""
        self._closed = True
        if self._inner is not None:
            await self._inner.close()
        if self._transport is not None:
            self._transport.finish()

    async def __aenter__(self) -> ReplayFeed:
        self._task = asyncio.create_task(self.run())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
        if self._task is None:
            return
        task, self._task = self._task, None
        try:
            await task
        except Exception:
            if exc is None:
                raise


def _chain(head: list[RecordEntry], rest: Iterator[RecordEntry]) -> Iterator[RecordEntry]:
    yield from head
    yield from rest
