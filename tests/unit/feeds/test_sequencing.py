"""Duplicates, out-of-order trades, gap detection and backfill ordering (pipeline level)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from quantrail.data.feeds import FeedCounters, FeedPipeline, Quote, TradeSequencer

from .helpers import S, trade


def emitted(pipeline: FeedPipeline) -> list[tuple[str, int, str | None]]:
    return [(e.symbol, e.ts_ns, e.trade_id) for e in pipeline.drain()]  # type: ignore[union-attr]


def test_duplicates_by_id_and_by_print_are_dropped() -> None:
    pipeline = FeedPipeline(FeedCounters())
    pipeline.on_event(trade("A", 1, tid=7), 1 * S)
    pipeline.on_event(trade("A", 1, tid=7), 1 * S)  # same id
    pipeline.on_event(trade("A", 2, price=5.0), 2 * S)
    pipeline.on_event(trade("A", 2, price=5.0), 2 * S)  # no id: same (ts, price, size)
    pipeline.on_event(trade("A", 2, price=5.5), 2 * S)  # same time, another print
    pipeline.on_event(trade("B", 1, tid=7), 3 * S)  # ids are per symbol
    assert emitted(pipeline) == [
        ("A", 1 * S, "7"),
        ("A", 2 * S, None),
        ("A", 2 * S, None),
        ("B", 1 * S, "7"),
    ]
    assert pipeline.counters.duplicates_dropped == 2


def test_without_a_window_a_late_trade_is_dropped_with_a_counted_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pipeline = FeedPipeline(FeedCounters())
    with caplog.at_level(logging.WARNING):
        for sec, tid in [(1, 1), (3, 3), (2, 2), (4, 4)]:
            pipeline.on_event(trade("A", sec, tid=tid), sec * S)
    assert [tid for _, _, tid in emitted(pipeline)] == ["1", "3", "4"]
    assert pipeline.counters.late_dropped == 1
    assert "1 late so far" in caplog.text


def test_the_reorder_window_puts_trades_back_in_order() -> None:
    pipeline = FeedPipeline(FeedCounters(), reorder_window_ns=S // 2)
    pipeline.on_event(trade("A", 10.0, tid=1), 100 * S)
    pipeline.on_event(trade("A", 10.2, tid=3), 100 * S + S // 10)
    pipeline.on_event(trade("A", 10.1, tid=2), 100 * S + S // 5)
    assert pipeline.drain() == []  # nothing is due yet
    pipeline.advance(100 * S + S // 2)  # trade 1 is due
    assert [tid for *_, tid in emitted(pipeline)] == ["1"]
    pipeline.advance(100 * S + S // 2 + S // 10)  # trade 3 is due; 2 is older so goes first
    assert [tid for *_, tid in emitted(pipeline)] == ["2", "3"]
    # Beyond the window: older than what was emitted, so dropped.
    pipeline.on_event(trade("A", 10.15, tid=9), 101 * S)
    pipeline.advance(102 * S)
    assert pipeline.drain() == []
    assert pipeline.counters.late_dropped == 1


def test_release_merges_symbols_in_time_order() -> None:
    pipeline = FeedPipeline(FeedCounters(), reorder_window_ns=S)
    pipeline.on_event(trade("B", 5, tid=1), 0)
    pipeline.on_event(trade("A", 4, tid=1), 0)
    pipeline.on_event(trade("A", 6, tid=2), 0)
    pipeline.finish(0)
    assert [(s, ts // S) for s, ts, _ in emitted(pipeline)] == [("A", 4), ("B", 5), ("A", 6)]


def test_late_quotes_are_dropped_and_newer_ones_pass() -> None:
    pipeline = FeedPipeline(FeedCounters())
    for ts in (2, 1, 3):
        pipeline.on_event(Quote("A", ts * S, 9.9, 10.1, 1, 1), ts * S)
    assert [e.ts_ns for e in pipeline.drain()] == [2 * S, 3 * S]  # type: ignore[union-attr]
    assert pipeline.counters.late_dropped == 1


def test_gap_detection_by_time_with_tolerance() -> None:
    counters = FeedCounters()
    seq = TradeSequencer(0, counters)
    seq.push(trade("A", 10, tid=1), 0)
    seq.release(0)
    assert (
        seq.gap(trade("A", 10.5), tolerance_ns=S, sequential_ids=False, fallback_since=None) is None
    )
    assert seq.gap(trade("A", 12), tolerance_ns=S, sequential_ids=False, fallback_since=None) == (
        10 * S,
        12 * S,
    )
    # An older trade is not a gap: it will be dropped as late or duplicate.
    assert seq.gap(trade("A", 9), tolerance_ns=0, sequential_ids=False, fallback_since=None) is None


def test_gap_detection_by_sequence_ids() -> None:
    seq = TradeSequencer(0, FeedCounters())
    seq.push(trade("A", 10, tid=41), 0)
    seq.release(0)
    kwargs: dict[str, Any] = {"tolerance_ns": 0, "sequential_ids": True, "fallback_since": None}
    assert seq.gap(trade("A", 99, tid=42), **kwargs) is None  # consecutive: nothing missed
    assert seq.gap(trade("A", 11, tid=44), **kwargs) == (10 * S, 11 * S)
    assert seq.gap(trade("A", 11, tid="x"), **kwargs) == (10 * S, 11 * S)  # not a number: time


def test_a_symbol_without_history_uses_the_latest_trade_of_any_symbol() -> None:
    seq = TradeSequencer(0, FeedCounters())
    assert seq.gap(trade("B", 5), tolerance_ns=0, sequential_ids=False, fallback_since=None) is None
    assert seq.gap(trade("B", 5), tolerance_ns=0, sequential_ids=False, fallback_since=3 * S) == (
        3 * S,
        5 * S,
    )


def test_backfill_is_emitted_before_newer_data_without_duplicates() -> None:
    counters = FeedCounters()
    pipeline = FeedPipeline(counters, reorder_window_ns=S)
    pipeline.on_event(trade("A", 1, tid=1), 1 * S)
    pipeline.on_event(trade("A", 2, tid=2), 2 * S)  # still held in the window at the drop
    pipeline.on_disconnect(2 * S, ["A", "B"])
    assert [tid for *_, tid in emitted(pipeline)] == ["1", "2"]  # flushed at the drop
    first_new = trade("A", 6, tid=6)
    gap = pipeline.gap_for(first_new)
    assert gap == (2 * S, 6 * S)
    assert pipeline.pending_gap == {"A", "B"}
    # The REST answer overlaps both ends and is unsorted.
    history = [trade("A", s, tid=s) for s in (6, 3, 2, 5, 4)]
    pipeline.on_backfill("A", history, 10 * S)
    pipeline.on_event(first_new, 10 * S)  # the trade that revealed the gap: a duplicate now
    pipeline.on_event(trade("A", 7, tid=7), 10 * S)
    pipeline.finish(20 * S)
    assert [tid for *_, tid in emitted(pipeline)] == ["3", "4", "5", "6", "7"]
    assert counters.gaps_detected == 1
    assert counters.backfilled == 4
    assert counters.duplicates_dropped == 2  # trade 2 (backfill overlap) and trade 6 (stream)
    assert pipeline.pending_gap == {"B"}


def test_no_gap_after_reconnect_closes_the_check() -> None:
    pipeline = FeedPipeline(FeedCounters(), gap_tolerance_ns=5 * S)
    pipeline.on_event(trade("A", 1, tid=1), 0)
    pipeline.on_disconnect(0, ["A"])
    assert pipeline.gap_for(trade("A", 2, tid=2)) is None
    assert pipeline.pending_gap == frozenset()
    pipeline.on_disconnect(0, ["A"])
    assert pipeline.gap_for(trade("A", 60, tid=3)) == (1 * S, 60 * S)
    pipeline.abandon_gap("A")
    assert pipeline.counters.backfill_failures == 1
