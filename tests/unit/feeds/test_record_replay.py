"""Recorder format and replays: a recorded session replays to the same events."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from quantrail.core.errors import DataError
from quantrail.data import DataConfig
from quantrail.data.feeds import (
    BackoffPolicy,
    BarBuilder,
    FeedSettings,
    Recorder,
    ReplayFeed,
    ResilientFeed,
    read_recording,
)

from .helpers import Collector, History, S, ScriptedTransport, VirtualTime, describe, trade


async def live_session(path: Path) -> tuple[list[tuple[object, ...]], dict[str, int]]:
    """A session with every complication, recorded; returns its events and counters."""
    vt = VirtualTime()
    transport = ScriptedTransport()
    history = History()
    history.trades = [trade("A", 1_000 + s, price=100 + s, tid=s) for s in range(20)]
    settings = FeedSettings(
        backoff=BackoffPolicy(base_s=0.5, seed=1),
        stale_after_s=3.0,
        tick_s=0.5,
        reorder_window_s=0.2,
    )
    with Recorder(path) as recorder:
        feed = ResilientFeed(
            transport,
            backfill=history.backfill,
            settings=settings,
            clock=vt,
            sleep=vt.sleep,
            recorder=recorder,
            bar_builder=BarBuilder(5 * S, grace_ns=S),
        )
        await feed.subscribe(["A"])
        collector = Collector(feed)
        run = asyncio.create_task(feed.run())
        await vt.advance(0)
        a = history.trades
        transport.push(a[0], a[1], a[1])  # a duplicate
        await vt.advance(0.1)
        transport.push(a[3], a[2])  # out of order, within the window
        await vt.advance(1)
        transport.push(a[4])
        await vt.advance(0.1)
        transport.drop()  # 5..8 are missed
        await vt.advance(2)
        await feed.subscribe(["B"])
        transport.push(a[9], trade("B", 1_009, tid=1))
        await vt.advance(1)
        transport.push(trade("A", 1_008.5, tid=99))  # late: older than 9, beyond the window
        await vt.advance(10)  # silence: a stale timeout and a reconnect (gap 9..12)
        transport.push(a[12])
        await vt.advance(30)
        await feed.close()
        await run
        await collector.task
    return [describe(e) for e in collector.items], feed.counters.as_dict()


def test_a_recorded_session_replays_to_the_same_events(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    live, counters = asyncio.run(live_session(path))
    assert counters["reconnects"] >= 2
    assert counters["stale_timeouts"] >= 1
    assert counters["gaps_detected"] >= 2
    assert counters["duplicates_dropped"] >= 1
    assert counters["late_dropped"] == 1
    assert counters["bars_emitted"] >= 2
    trades = [e for e in live if e[0] == "trade" and e[1] == "A"]
    assert [e[-1] for e in trades] == [str(i) for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)]

    async def replay() -> tuple[list[tuple[object, ...]], dict[str, int]]:
        feed = ReplayFeed.from_recording(path, bar_builder=BarBuilder(5 * S, grace_ns=S))
        collector = Collector(feed)
        await feed.run()
        await collector.task
        return [describe(e) for e in collector.items], feed.counters.as_dict()

    replayed, replay_counters = asyncio.run(replay())
    assert replayed == live
    for name in ("gaps_detected", "backfilled", "duplicates_dropped", "late_dropped"):
        assert replay_counters[name] == counters[name], name


def test_recording_lines_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "r.jsonl"
    with Recorder(path) as recorder:
        recorder.write(5, "alpaca", "message", {"T": "t", "S": "A"})
        recorder.write_backfill(6, "alpaca", "A", 1, 5, [trade("A", 1, tid=1)])
        recorder.write(7, "alpaca", "disconnect", reason="stale")
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert lines[0] == {
        "v": 1,
        "recv_ns": 5,
        "source": "alpaca",
        "kind": "message",
        "payload": {"T": "t", "S": "A"},
        "detail": {},
    }
    entries = list(read_recording(path))
    assert [e.kind for e in entries] == ["message", "backfill", "disconnect"]
    assert entries[1].detail == {"symbol": "A", "since_ns": 1, "until_ns": 5}
    assert entries[1].payload == [
        {"symbol": "A", "ts_ns": S, "price": 100.0, "size": 1.0, "trade_id": "1"}
    ]
    with pytest.raises(ValueError, match="closed"):
        recorder.write(8, "alpaca", "message", {})


def test_bad_recordings_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"v":1,"recv_ns":1,"source":"x","kind":"message"}\nnot json\n')
    with pytest.raises(DataError, match="row 2"):
        list(read_recording(path))
    with pytest.raises(DataError, match="not found"):
        list(read_recording(tmp_path / "missing.jsonl"))


def test_replay_paces_by_recorded_time_through_the_injected_sleep(tmp_path: Path) -> None:
    path = tmp_path / "paced.jsonl"
    with Recorder(path) as recorder:
        recorder.write(10 * S, "normalised", "connect", symbols=["A"])
        for sec in (10, 12, 13):
            payload = {"symbol": "A", "ts_ns": sec * S, "price": 1.0, "size": 1.0, "trade_id": None}
            recorder.write(sec * S, "normalised", "message", payload)
    slept: list[float] = []
    clock_at: list[int] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    async def main() -> list[int]:
        feed = ReplayFeed.from_recording(path, speed=4.0, sleep=fake_sleep)
        out = []
        async with feed:
            async for event in feed.events():
                clock_at.append(feed.clock.now_ns())
                out.append(event.ts_ns)  # type: ignore[union-attr]
        return out

    assert asyncio.run(main()) == [10 * S, 12 * S, 13 * S]
    assert slept == [0.5, 0.25]
    assert clock_at[-1] == 13 * S


def test_replay_filters_symbols(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    with Recorder(path) as recorder:
        for i, symbol in enumerate(["A", "B", "A"]):
            payload = {"symbol": symbol, "ts_ns": i * S, "price": 1.0, "size": 1.0}
            recorder.write(i * S, "normalised", "message", payload)

    async def main() -> list[str]:
        feed = ReplayFeed.from_recording(path, symbols=["A"])
        asyncio.get_running_loop().create_task(feed.run())
        return [e.symbol async for e in feed.events()]

    assert asyncio.run(main()) == ["A", "A"]


def test_bar_files_replay_in_close_order_at_pace(tmp_path: Path) -> None:
    for symbol, rows in {
        "AAA": ["2024-01-02T14:30:00Z,1,2,0.5,1.5,10", "2024-01-02T14:31:00Z,1.5,2,1,2,20"],
        "BBB": ["2024-01-02T14:30:00Z,5,6,4,5.5,7"],
    }.items():
        (tmp_path / f"{symbol}.csv").write_text(
            "timestamp,open,high,low,close,volume\n" + "\n".join(rows) + "\n"
        )
    configs = [
        DataConfig(symbol=s, path=tmp_path / f"{s}.csv", frequency="1min") for s in ("AAA", "BBB")
    ]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    async def main() -> list[tuple[str, int, float]]:
        feed = ReplayFeed.from_bars(configs, speed=60.0, sleep=fake_sleep)
        task = asyncio.create_task(feed.run())
        out = [(b.symbol, b.ts, b.close) async for b in feed.events()]  # type: ignore[union-attr]
        await task
        return out

    start = 1_704_205_800 * S
    assert asyncio.run(main()) == [
        ("AAA", start + 60 * S, 1.5),
        ("BBB", start + 60 * S, 5.5),
        ("AAA", start + 120 * S, 2.0),
    ]
    assert slept == [1.0]  # one minute of bar time at 60x


def test_invalid_speed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text("")
    with pytest.raises(ValueError, match="speed"):
        ReplayFeed.from_recording(path, speed=-1.0)
