"""Column-oriented bars of one symbol, as loaded from one file."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import numpy.typing as npt

from quantrail.core.bar import Bar

__all__ = ["BarFrame", "FloatArray", "IntArray", "iso_utc"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_INT_COLUMNS = ("ts", "ts_open", "session", "row_numbers")
_FLOAT_COLUMNS = ("open", "high", "low", "close", "volume", "bid", "ask")


def iso_utc(ns: int) -> str:
    """Format UTC nanoseconds as ISO-8601 with a ``+00:00`` offset (for messages)."""
    value = int(ns)
    unit: Literal["s", "ns"] = "s" if value % 1_000_000_000 == 0 else "ns"
    text = str(np.datetime_as_string(np.datetime64(value, "ns"), unit=unit))
    if "." in text:
        text = text.rstrip("0")
    return f"{text}+00:00"


@dataclass(frozen=True, eq=False)
class BarFrame:
    """The bars of one symbol in file order, one numpy array per column.

    All arrays have the same length, are C-contiguous and read-only (a frame is shared between
    the validator, the merger and the engine; nobody may repair it in place).

    Attributes
    ----------
    symbol : str
        The instrument's symbol.
    frequency_ns : int
        Configured bar spacing in nanoseconds.
    source : str
        The file the bars came from, as configured (used in error messages).
    ts : ndarray of int64
        UTC nanoseconds when the bar became known (its close).
    ts_open : ndarray of int64
        UTC nanoseconds when the bar's interval began.
    open, high, low, close, volume : ndarray of float64
        The bar's prices and traded volume, exactly as in the file (NaN where empty).
    bid, ask : ndarray of float64
        Quote at the bar's close; NaN when the source has no quotes.
    session : ndarray of int64
        The trading session: local calendar date in the session time zone, as days since
        1970-01-01.
    row_numbers : ndarray of int64
        Where each bar is in the file: the 1-based line number for CSV (header = line 1, so the
        first bar is line 2); the 1-based record number for Parquet.
    """

    symbol: str
    frequency_ns: int
    source: str
    ts: IntArray
    ts_open: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    bid: FloatArray
    ask: FloatArray
    session: IntArray
    row_numbers: IntArray

    def __post_init__(self) -> None:
        n = len(self.ts)
        for f in fields(self):
            if f.name in _INT_COLUMNS or f.name in _FLOAT_COLUMNS:
                dtype = np.int64 if f.name in _INT_COLUMNS else np.float64
                array = np.ascontiguousarray(getattr(self, f.name), dtype=dtype)
                if array.ndim != 1 or len(array) != n:
                    raise ValueError(
                        f"BarFrame {self.symbol}: column {f.name} has shape {array.shape}, "
                        f"expected ({n},)"
                    )
                # A read-only view: the frame cannot be changed through it, and the caller's
                # own array is neither copied (1M+ rows) nor frozen under their feet.
                array = array.view()
                array.flags.writeable = False
                # frozen dataclass: __post_init__ is the one place that may normalise fields
                object.__setattr__(self, f.name, array)

    def __len__(self) -> int:
        return len(self.ts)

    def bar(self, i: int) -> Bar:
        """Return row ``i`` (0-based, file order) as a :class:`~quantrail.core.bar.Bar`."""
        return Bar(
            self.symbol,
            int(self.ts[i]),
            int(self.ts_open[i]),
            float(self.open[i]),
            float(self.high[i]),
            float(self.low[i]),
            float(self.close[i]),
            float(self.volume[i]),
            float(self.bid[i]),
            float(self.ask[i]),
            int(self.session[i]),
        )
