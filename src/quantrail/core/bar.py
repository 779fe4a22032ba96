"""Market data events the engine hands to strategies."""

from __future__ import annotations

__all__ = ["Bar"]


class Bar:
    """One OHLCV bar, stamped with the moment it became known (its close).

    ``ts`` is UTC nanoseconds at which the bar was complete; ``ts_open`` is when its interval
    began. ``bid``/``ask`` are the quote at the bar's close when the source has them, else NaN.
    ``session`` is an integer key of the trading session (local date) the bar belongs to.

    A plain slotted class rather than a frozen dataclass: one is built per event on the hot path,
    and frozen dataclasses pay for ``object.__setattr__`` on every field.
    """

    __slots__ = (
        "ask",
        "bid",
        "close",
        "high",
        "low",
        "open",
        "session",
        "symbol",
        "ts",
        "ts_open",
        "volume",
    )

    def __init__(
        self,
        symbol: str,
        ts: int,
        ts_open: int,
        open: float,
        high: float,
        low: float,
        close: float,
        volume: float,
        bid: float = float("nan"),
        ask: float = float("nan"),
        session: int = 0,
    ) -> None:
        self.symbol = symbol
        self.ts = ts
        self.ts_open = ts_open
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.bid = bid
        self.ask = ask
        self.session = session

    def __repr__(self) -> str:
        return (
            f"Bar({self.symbol} ts={self.ts} o={self.open} h={self.high} l={self.low} "
            f"c={self.close} v={self.volume})"
        )
