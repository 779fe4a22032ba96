"""BarBuilder stamps, checked against hand-computed bars."""

from __future__ import annotations

import pytest

from quantrail.data.feeds import BarBuilder, FeedCounters, FeedPipeline, Trade

from .helpers import S, describe

T0 = 1_704_205_800 * S  # 2024-01-02T14:30:00Z, a minute boundary (09:30 New York)
JAN_2_2024 = 19_724  # days from 1970-01-01 to 2024-01-02


def at(sec: float, price: float, size: float = 1.0, symbol: str = "SPY") -> Trade:
    return Trade(symbol, T0 + round(sec * S), price, size)


def test_bars_are_stamped_at_their_close_and_empty_intervals_get_none() -> None:
    builder = BarBuilder(60 * S, grace_ns=5 * S, session_tz="America/New_York")
    assert builder.on_trade(at(5, 10.0, 1)) == []
    assert builder.on_trade(at(30, 12.0, 2)) == []
    assert builder.on_trade(at(59.999, 9.0, 1)) == []
    # A trade exactly on the boundary opens the next bar and closes the first.
    (first,) = builder.on_trade(at(60, 11.0, 3))
    assert describe(first) == ("bar", "SPY", T0 + 60 * S, T0, 10.0, 12.0, 9.0, 9.0, 4.0, JAN_2_2024)
    # Nothing traded in [120 s, 180 s): the trade at 200 s closes [60 s, 120 s) only.
    (second,) = builder.on_trade(at(200, 13.0, 1))
    assert describe(second) == (
        "bar",
        "SPY",
        T0 + 120 * S,
        T0 + 60 * S,
        11.0,
        11.0,
        11.0,
        11.0,
        3.0,
        JAN_2_2024,
    )
    # The open bar [180 s, 240 s) is emitted by time once end + grace has passed.
    assert builder.next_deadline() == T0 + 245 * S
    assert builder.due(T0 + 245 * S - 1) == []
    (third,) = builder.due(T0 + 245 * S)
    assert (third.ts, third.ts_open, third.close, third.volume) == (
        T0 + 240 * S,
        T0 + 180 * S,
        13.0,
        1.0,
    )
    # A trade for the interval already emitted is late for the bar.
    assert builder.on_trade(at(239, 14.0)) == []
    assert builder.late_trades == 1
    assert builder.open_symbols() == []


def test_session_is_the_local_date_of_the_bar_open() -> None:
    late_evening = 1_704_257_970 * S  # 2024-01-03T04:59:30Z = 23:59:30 on Jan 2 in New York
    ny = BarBuilder(60 * S, session_tz="America/New_York")
    utc = BarBuilder(60 * S)
    for builder in (ny, utc):
        builder.on_trade(Trade("SPY", late_evening, 1.0, 1.0))
    assert ny.due(late_evening + 60 * S)[0].session == JAN_2_2024
    assert utc.due(late_evening + 60 * S)[0].session == JAN_2_2024 + 1


def test_grid_offset_and_validation() -> None:
    hourly = BarBuilder(3600 * S, offset_ns=1800 * S)
    assert hourly.interval_start(T0 + 15 * 60 * S) == T0  # 14:45 is in the 14:30 bar
    assert hourly.interval_start(T0 - 1) == T0 - 3600 * S
    with pytest.raises(ValueError, match="interval"):
        BarBuilder(0)
    with pytest.raises(ValueError, match="grace"):
        BarBuilder(60 * S, grace_ns=-1)


def test_symbols_are_independent_and_held_symbols_wait() -> None:
    builder = BarBuilder(60 * S)
    builder.on_trade(at(1, 1.0, symbol="A"))
    builder.on_trade(at(2, 2.0, symbol="B"))
    assert builder.next_deadline(hold={"A"}) == T0 + 60 * S
    assert [b.symbol for b in builder.due(T0 + 61 * S, hold={"A"})] == ["B"]
    assert builder.next_deadline(hold={"A"}) is None
    assert [b.symbol for b in builder.due(T0 + 61 * S)] == ["A"]


def test_pipeline_interleaves_bar_deadlines_with_held_trades() -> None:
    # Window 2 s, grace 1 s: the trade at 59 s, received at 60.5 s, is held until 62.5 s, after
    # the bar's deadline (61 s). The bar waits for it (it belongs to the bar): the held trade
    # goes out first, then the bar with both trades; nothing is late.
    pipeline = FeedPipeline(
        FeedCounters(), reorder_window_ns=2 * S, bar_builder=(builder := BarBuilder(60 * S, S))
    )
    pipeline.on_event(at(10, 1.0), T0 + 10 * S)
    pipeline.on_event(at(59, 2.0), T0 + 60_500_000_000)
    pipeline.advance(T0 + 70 * S)  # one late call: same result as ticking every instant
    events = pipeline.drain()
    assert [describe(e)[0] for e in events] == ["trade", "trade", "bar"]
    assert builder.late_trades == 0
    assert pipeline.counters.bars_emitted == 1
    assert events[-1].volume == 2  # type: ignore[union-attr]
