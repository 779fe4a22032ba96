"""Per-symbol trade ordering: duplicates, a short reorder window, late drops and gap checks.

The sequencer is pure and synchronous: every decision depends only on the trades pushed and
on the ``now_ns`` values passed in, never on when the caller happens to run. That is what
makes a replay (which passes the recorded receive times) produce the live session's events.

Rules, per symbol:

* A trade whose key was seen recently is a duplicate and is dropped. The key is the venue's
  trade id, or ``(ts, price, size)`` when there is none.
* A trade older than the last emitted one (the watermark) is late and is dropped: events are
  never emitted out of order. Equal timestamps are fine.
* Any other trade is held until ``receive time + reorder window``; then it and every held
  trade with a smaller or equal timestamp are emitted in ``(ts, arrival)`` order. Trades that
  arrive out of order within the window are therefore put back in order.
"""

from __future__ import annotations

import bisect
import logging
from collections import deque
from dataclasses import dataclass, field

from quantrail.data.feeds.events import FeedCounters, Trade

__all__ = ["TradeSequencer", "trade_key"]

log = logging.getLogger(__name__)

_Key = tuple[object, ...]


def trade_key(trade: Trade) -> _Key:
    """Identity used to drop duplicates: the trade id, else ``(ts, price, size)``."""
    if trade.trade_id is not None:
        return ("id", trade.trade_id)
    return ("print", trade.ts_ns, trade.price, trade.size)


@dataclass(slots=True)
class _Symbol:
    watermark: int | None = None
    last_id: str | None = None
    seen: set[_Key] = field(default_factory=set)
    seen_order: deque[_Key] = field(default_factory=deque)
    # (ts, arrival seq, due, trade), kept sorted; a handful of entries at most.
    held: list[tuple[int, int, int, Trade]] = field(default_factory=list)


class TradeSequencer:
    """Drops duplicates and late trades and re-orders within a window, per symbol.

    Parameters
    ----------
    reorder_window_ns : int
        How long a trade is held for earlier trades to catch up (0: emit at once).
    counters : FeedCounters
        Where ``duplicates_dropped`` and ``late_dropped`` are counted.
    dedupe_memory : int
        How many recent trade keys are remembered per symbol.
    """

    def __init__(
        self, reorder_window_ns: int, counters: FeedCounters, dedupe_memory: int = 10_000
    ) -> None:
        if reorder_window_ns < 0:
            raise ValueError(f"reorder window must be >= 0, got {reorder_window_ns} ns")
        if dedupe_memory < 1:
            raise ValueError(f"dedupe_memory must be >= 1, got {dedupe_memory}")
        self._window = reorder_window_ns
        self._memory = dedupe_memory
        self._counters = counters
        self._symbols: dict[str, _Symbol] = {}
        self._arrivals = 0

    def _state(self, symbol: str) -> _Symbol:
        state = self._symbols.get(symbol)
        if state is None:
            state = self._symbols[symbol] = _Symbol()
        return state

    def last_ts(self, symbol: str) -> int | None:
        """Timestamp of the last trade emitted for ``symbol``."""
        state = self._symbols.get(symbol)
        return None if state is None else state.watermark

    def max_ts(self) -> int | None:
        """Latest exchange timestamp emitted for any symbol (None before the first trade)."""
        marks = [s.watermark for s in self._symbols.values() if s.watermark is not None]
        return max(marks) if marks else None

    def _remember(self, state: _Symbol, key: _Key) -> None:
        state.seen.add(key)
        state.seen_order.append(key)
        if len(state.seen_order) > self._memory:
            state.seen.discard(state.seen_order.popleft())

    def _reject(self, trade: Trade, state: _Symbol) -> bool:
        """Count and report whether ``trade`` must be dropped (duplicate or late)."""
        if trade_key(trade) in state.seen:
            self._counters.duplicates_dropped += 1
            return True
        if state.watermark is not None and trade.ts_ns < state.watermark:
            self._counters.late_dropped += 1
            log.warning(
                "%s: dropped a trade at %d ns arriving after one at %d ns (%d late so far)",
                trade.symbol,
                trade.ts_ns,
                state.watermark,
                self._counters.late_dropped,
            )
            return True
        return False

    def _mark_emitted(self, state: _Symbol, trade: Trade) -> None:
        state.watermark = trade.ts_ns
        if trade.trade_id is not None:
            state.last_id = trade.trade_id

    def push(self, trade: Trade, now_ns: int) -> None:
        """Take a trade received at ``now_ns``; it is held until :meth:`release` emits it."""
        state = self._state(trade.symbol)
        if self._reject(trade, state):
            return
        self._remember(state, trade_key(trade))
        self._arrivals += 1
        entry = (trade.ts_ns, self._arrivals, now_ns + self._window, trade)
        bisect.insort(state.held, entry, key=lambda e: (e[0], e[1]))

    def admit(self, trade: Trade) -> bool:
        """Pass a backfilled trade straight through: True when it is new and in order.

        Backfill is emitted ahead of anything held, so it skips the window; it still goes
        through the duplicate and late checks and moves the watermark.
        """
        state = self._state(trade.symbol)
        if self._reject(trade, state):
            return False
        self._remember(state, trade_key(trade))
        self._mark_emitted(state, trade)
        return True

    def earliest_held_ts(self) -> int | None:
        """Exchange time of the oldest trade held (any symbol), or None when nothing is held."""
        oldest = [s.held[0][0] for s in self._symbols.values() if s.held]
        return min(oldest) if oldest else None

    def next_due(self) -> int | None:
        """Earliest time at which a held trade becomes due, or None when nothing is held."""
        dues = [entry[2] for s in self._symbols.values() for entry in s.held]
        return min(dues) if dues else None

    def release(self, now_ns: int) -> list[Trade]:
        """Emit every trade due by ``now_ns`` and, per symbol, all held trades not newer.

        A held trade older than a due one arrived later than it; waiting longer for it would
        not change the order, so it goes out too. The result is ordered by
        ``(ts, arrival)`` across symbols.
        """
        out: list[tuple[int, int, int, Trade]] = []
        for state in self._symbols.values():
            due = [entry[0] for entry in state.held if entry[2] <= now_ns]
            if not due:
                continue
            cut = bisect.bisect_right(state.held, max(due), key=lambda e: e[0])
            ready, state.held = state.held[:cut], state.held[cut:]
            out.extend(ready)
            self._mark_emitted(state, ready[-1][3])
        out.sort(key=lambda e: (e[0], e[1]))
        return [entry[3] for entry in out]

    def flush(self) -> list[Trade]:
        """Emit everything held, in order (the connection is gone; nothing more will come)."""
        return self.release(now_ns=2**63 - 1)

    def gap(
        self,
        trade: Trade,
        *,
        tolerance_ns: int,
        sequential_ids: bool,
        fallback_since: int | None,
    ) -> tuple[int, int] | None:
        """The ``(since_ns, until_ns)`` to backfill before ``trade``, or None when no hole.

        ``since`` is the symbol's last emitted trade, or ``fallback_since`` (the latest trade
        of any symbol before the drop) when the symbol had none. With ``sequential_ids`` and
        integer ids, consecutive ids prove there is no hole whatever the time; otherwise a
        hole is assumed when more than ``tolerance_ns`` of exchange time passed.
        """
        state = self._symbols.get(trade.symbol)
        since = state.watermark if state is not None else None
        since = fallback_since if since is None else since
        if since is None or trade.ts_ns < since:
            return None
        last_id = state.last_id if state is not None else None
        if sequential_ids and last_id is not None and trade.trade_id is not None:
            try:
                contiguous = int(trade.trade_id) <= int(last_id) + 1
            except ValueError:
                pass
            else:
                return None if contiguous else (since, trade.ts_ns)
        return (since, trade.ts_ns) if trade.ts_ns - since > tolerance_ns else None
