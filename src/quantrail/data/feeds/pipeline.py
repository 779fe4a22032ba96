"""The synchronous core of a feed: sequencing, gap bookkeeping, quotes and bar building.

:class:`FeedPipeline` turns received events (stamped with their receive time) into the
emitted stream. It does no I/O and never reads a clock, so the same inputs always give the
same outputs: the live feed and a replay of its recording share it.
"""

from __future__ import annotations

from collections.abc import Iterable

from quantrail.data.feeds.bars import BarBuilder
from quantrail.data.feeds.events import FeedCounters, FeedEvent, Quote, Trade
from quantrail.data.feeds.sequencer import TradeSequencer

__all__ = ["FeedPipeline"]


class FeedPipeline:
    """Ordered, de-duplicated events out of raw trades and quotes.

    Parameters
    ----------
    counters : FeedCounters
        Shared with the feed that owns the pipeline.
    reorder_window_ns : int
        See :class:`~quantrail.data.feeds.sequencer.TradeSequencer`.
    gap_tolerance_ns : int
        Exchange time that may pass across a reconnect without assuming a hole.
    sequential_ids : bool
        Whether the venue numbers each symbol's trades consecutively.
    bar_builder : BarBuilder or None
        When given, bars built from the emitted trades are emitted too.
    dedupe_memory : int
        Trade keys remembered per symbol.
    """

    def __init__(
        self,
        counters: FeedCounters,
        *,
        reorder_window_ns: int = 0,
        gap_tolerance_ns: int = 0,
        sequential_ids: bool = False,
        bar_builder: BarBuilder | None = None,
        dedupe_memory: int = 10_000,
    ) -> None:
        self.counters = counters
        self._sequencer = TradeSequencer(reorder_window_ns, counters, dedupe_memory)
        self._gap_tolerance = gap_tolerance_ns
        self._sequential_ids = sequential_ids
        self._bars = bar_builder
        self._quote_marks: dict[str, int] = {}
        self._pending_gap: set[str] = set()
        self._fallback_since: int | None = None
        self._out: list[FeedEvent] = []

    @property
    def pending_gap(self) -> frozenset[str]:
        """Symbols whose first trade after a reconnect has not been seen yet."""
        return frozenset(self._pending_gap)

    def drain(self) -> list[FeedEvent]:
        """Take the events emitted since the last call, in emission order."""
        out, self._out = self._out, []
        return out

    def _emit_trade(self, trade: Trade) -> None:
        if self._bars is not None:
            self._emit_bars(self._bars.on_trade(trade))
        self._out.append(trade)
        self.counters.trades_emitted += 1

    def _emit_bars(self, bars: Iterable[FeedEvent]) -> None:
        for bar in bars:
            self._out.append(bar)
            self.counters.bars_emitted += 1

    def advance(self, now_ns: int) -> None:
        """Emit what the passage of time to ``now_ns`` makes due, in deadline order.

        Held trades and bar deadlines are interleaved by their due times, so calling this
        once late gives the same events as calling it at every instant in between.
        """
        while True:
            t_trade = self._sequencer.next_due()
            t_bar = None if self._bars is None else self._bars.next_deadline(self._pending_gap)
            # A bar may not close while the reorder window still holds a trade stamped before
            # its deadline: that trade belongs in it. The wait is bounded by the window.
            held = self._sequencer.earliest_held_ts()
            blocked = t_bar is not None and held is not None and held < t_bar
            if (
                t_trade is not None
                and t_trade <= now_ns
                and (t_bar is None or t_trade <= t_bar or blocked)
            ):
                for trade in self._sequencer.release(t_trade):
                    self._emit_trade(trade)
            elif t_bar is not None and t_bar <= now_ns and not blocked and self._bars is not None:
                self._emit_bars(self._bars.due(t_bar, self._pending_gap))
            else:
                return

    def on_event(self, event: Trade | Quote, now_ns: int) -> None:
        """Take one received event; ``now_ns`` is when it was received."""
        self.advance(now_ns)
        if isinstance(event, Trade):
            self._sequencer.push(event, now_ns)
            self.advance(now_ns)
            return
        # Quotes are a snapshot, not a sequence: the newest wins and an older one is dropped.
        mark = self._quote_marks.get(event.symbol)
        if mark is not None and event.ts_ns < mark:
            self.counters.late_dropped += 1
            return
        self._quote_marks[event.symbol] = event.ts_ns
        self._out.append(event)
        self.counters.quotes_emitted += 1

    def on_disconnect(self, now_ns: int, symbols: Iterable[str]) -> None:
        """The connection is gone: emit what was held and arm the gap check of ``symbols``."""
        self.advance(now_ns)
        for trade in self._sequencer.flush():
            self._emit_trade(trade)
        self._pending_gap.update(symbols)
        self._fallback_since = self._sequencer.max_ts()

    def gap_for(self, trade: Trade) -> tuple[int, int] | None:
        """Backfill window needed before ``trade``, if it is its symbol's first since a drop.

        Returns None (and asks nothing again for the symbol) when there is no hole; counts
        ``gaps_detected`` when there is one.
        """
        if trade.symbol not in self._pending_gap:
            return None
        gap = self._sequencer.gap(
            trade,
            tolerance_ns=self._gap_tolerance,
            sequential_ids=self._sequential_ids,
            fallback_since=self._fallback_since,
        )
        if gap is None:
            self._pending_gap.discard(trade.symbol)
        else:
            self.counters.gaps_detected += 1
        return gap

    def on_backfill(self, symbol: str, trades: Iterable[Trade], now_ns: int) -> None:
        """Emit backfilled trades of ``symbol`` ahead of anything newer; close its gap check.

        Trades are sorted by exchange time (then id) and pass the duplicate and late checks,
        so trades seen before the drop, or again on the new connection, appear once.
        """
        self._pending_gap.discard(symbol)
        ordered = sorted(
            (t for t in trades if t.symbol == symbol), key=lambda t: (t.ts_ns, t.trade_id or "")
        )
        for trade in ordered:
            if self._sequencer.admit(trade):
                self.counters.backfilled += 1
                self._emit_trade(trade)
        self.advance(now_ns)

    def abandon_gap(self, symbol: str) -> None:
        """Give up on filling ``symbol``'s hole (backfill kept failing); carry on without it."""
        self._pending_gap.discard(symbol)
        self.counters.backfill_failures += 1

    def finish(self, now_ns: int) -> None:
        """End of stream: emit due bars and every held trade; open bars stay unemitted."""
        self.advance(now_ns)
        for trade in self._sequencer.flush():
            self._emit_trade(trade)
