"""Building close-stamped bars from an ordered trade stream."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from quantrail.core.bar import Bar
from quantrail.core.time import NANOS_PER_SECOND
from quantrail.data.feeds.events import Trade

__all__ = ["BarBuilder"]

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(slots=True)
class _Open:
    start: int
    end: int
    open: float
    high: float
    low: float
    close: float
    volume: float


class BarBuilder:
    """Aggregates each symbol's trades into OHLCV bars on a fixed grid.

    Intervals are half-open, ``[start, start + interval)``, aligned to
    ``offset_ns + k * interval_ns`` from the Unix epoch; a trade exactly on a boundary opens
    the next bar. A bar is stamped like every bar in quantrail: ``ts`` is the interval's end,
    the moment it became known, and ``ts_open`` its start. It is emitted either

    * when the first trade of a later interval arrives (:meth:`on_trade`), or
    * when the clock passes ``end + grace`` (:meth:`due`), so a quiet market still gets its bar
      after a bounded delay; the grace lets trades still in flight at the boundary arrive.

    An interval without trades gets no bar (there is no honest price for it; carrying the
    previous close forward would invent a print). A trade for an interval whose bar was
    already emitted is not added to it and is counted in :attr:`late_trades`. Bars carry no
    quote (``bid``/``ask`` are NaN).

    Parameters
    ----------
    interval_ns : int
        Bar length in nanoseconds (> 0).
    grace_ns : int
        How long after an interval's end the clock must be before the bar is emitted
        without a later trade (>= 0).
    offset_ns : int
        Shift of the grid from the epoch (e.g. to start hourly bars at :30).
    session_tz : str
        IANA zone whose local date of ``ts_open`` gives ``Bar.session``.
    """

    def __init__(
        self,
        interval_ns: int,
        grace_ns: int = 0,
        offset_ns: int = 0,
        session_tz: str = "UTC",
    ) -> None:
        if interval_ns <= 0:
            raise ValueError(f"bar interval must be > 0 ns, got {interval_ns}")
        if grace_ns < 0:
            raise ValueError(f"bar grace must be >= 0 ns, got {grace_ns}")
        self.interval_ns = interval_ns
        self.grace_ns = grace_ns
        self.offset_ns = offset_ns
        self._zone = ZoneInfo(session_tz)
        self._open: dict[str, _Open] = {}
        self._closed_until: dict[str, int] = {}
        self.late_trades = 0

    def interval_start(self, ts_ns: int) -> int:
        """Start of the interval that contains ``ts_ns``."""
        return (ts_ns - self.offset_ns) // self.interval_ns * self.interval_ns + self.offset_ns

    def _session(self, start_ns: int) -> int:
        local = dt.datetime.fromtimestamp(start_ns // NANOS_PER_SECOND, tz=self._zone)
        return local.date().toordinal() - _EPOCH_ORDINAL

    def _close(self, symbol: str) -> Bar:
        bar = self._open.pop(symbol)
        self._closed_until[symbol] = bar.end
        return Bar(
            symbol,
            bar.end,
            bar.start,
            bar.open,
            bar.high,
            bar.low,
            bar.close,
            bar.volume,
            session=self._session(bar.start),
        )

    def on_trade(self, trade: Trade) -> list[Bar]:
        """Add a trade (in time order per symbol); return the bar it closed, if any."""
        symbol = trade.symbol
        if trade.ts_ns < self._closed_until.get(symbol, trade.ts_ns):
            self.late_trades += 1
            return []
        start = self.interval_start(trade.ts_ns)
        current = self._open.get(symbol)
        closed: list[Bar] = []
        if current is not None and start > current.start:
            closed.append(self._close(symbol))
            current = None
        if current is None:
            self._open[symbol] = _Open(
                start,
                start + self.interval_ns,
                trade.price,
                trade.price,
                trade.price,
                trade.price,
                trade.size,
            )
        else:
            current.high = max(current.high, trade.price)
            current.low = min(current.low, trade.price)
            current.close = trade.price
            current.volume += trade.size
        return closed

    def next_deadline(self, hold: Container[str] = ()) -> int | None:
        """When the earliest open bar (of a symbol not in ``hold``) becomes due by time."""
        ends = [b.end for s, b in self._open.items() if s not in hold]
        return min(ends) + self.grace_ns if ends else None

    def due(self, now_ns: int, hold: Container[str] = ()) -> list[Bar]:
        """Close and return every bar with ``end + grace <= now_ns``, oldest first.

        Symbols in ``hold`` are skipped: their feed is waiting for a gap to be filled, and
        the missing trades may belong to the open bar.
        """
        ready = [
            (bar.end, symbol)
            for symbol, bar in self._open.items()
            if symbol not in hold and bar.end + self.grace_ns <= now_ns
        ]
        return [self._close(symbol) for _, symbol in sorted(ready)]

    def open_symbols(self) -> list[str]:
        """Symbols with a bar in progress."""
        return list(self._open)
