"""Wire formats shared by the venue emulations: times, numbers, msgpack, events."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd

__all__ = [
    "BarEvent",
    "Event",
    "QuoteEvent",
    "TradeEvent",
    "decimal_str",
    "msgpack",
    "parse_time_ns",
    "rfc3339",
]

NANOS = 1_000_000_000


class _Msgpack(Protocol):
    """The slice of msgpack the Alpaca emulation uses (msgpack ships no type information)."""

    Timestamp: Any

    def packb(self, o: object) -> bytes: ...

    def unpackb(self, packed: bytes) -> object: ...


# Imported through importlib so the untyped module meets a typed Protocol exactly here.
msgpack = cast(_Msgpack, importlib.import_module("msgpack"))


def rfc3339(ts_ns: int) -> str:
    """UTC nanoseconds as RFC-3339 with a ``Z``, fraction only when non-zero (as Alpaca)."""
    secs, nanos = divmod(int(ts_ns), NANOS)
    text = datetime.fromtimestamp(secs, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        text += f".{nanos:09d}".rstrip("0")
    return text + "Z"


def parse_time_ns(text: str) -> int:
    """RFC-3339 or a date (``2024-01-02``) as UTC nanoseconds; naive means UTC.

    Raises
    ------
    ValueError
        When the text is not a time.
    """
    stamp = pd.Timestamp(text)
    if pd.isna(stamp):
        raise ValueError(f"not a time: {text!r}")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return int(stamp.as_unit("ns").value)


def decimal_str(value: float) -> str:
    """A float as the shortest plain decimal that reads back exactly (no exponent), as
    Binance writes prices and quantities."""
    return np.format_float_positional(value, trim="-")


@dataclass(frozen=True)
class TradeEvent:
    """A trade to broadcast. ``ts_ns`` is UTC nanoseconds."""

    symbol: str
    price: float
    size: float
    ts_ns: int
    id: int


@dataclass(frozen=True)
class QuoteEvent:
    """A top-of-book quote to broadcast."""

    symbol: str
    bid_price: float
    bid_size: float
    ask_price: float
    ask_size: float
    ts_ns: int


@dataclass(frozen=True)
class BarEvent:
    """A finished bar to broadcast; ``ts_ns`` is the bar start."""

    symbol: str
    open: float
    high: float
    low: float
    close: float
    volume: float
    ts_ns: int
    timeframe_ns: int
    trade_count: int = 1
    vwap: float | None = None


Event = TradeEvent | QuoteEvent | BarEvent


def replay_events(frame: pd.DataFrame, symbol: str, kind: str, timeframe_ns: int) -> list[Event]:
    """Turn script rows into events for a replayed subscription."""
    events: list[Event] = []
    for row in frame.itertuples(index=False):
        r = cast(Any, row)
        if kind == "trades":
            events.append(TradeEvent(symbol, r.price, r.size, int(r.ts), int(r.id)))
        elif kind == "quotes":
            events.append(
                QuoteEvent(symbol, r.bid_price, r.bid_size, r.ask_price, r.ask_size, int(r.ts))
            )
        else:
            events.append(
                BarEvent(
                    symbol,
                    r.open,
                    r.high,
                    r.low,
                    r.close,
                    r.volume,
                    int(r.ts),
                    timeframe_ns,
                    int(r.n),
                    float(r.vw),
                )
            )
    return events
