"""The project bar layout every adapter hands to the sink."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["BAR_LAYOUT", "bars_frame", "empty_bars", "timestamps_ns"]

BAR_LAYOUT = ("timestamp", "open", "high", "low", "close", "volume")


def bars_frame(ts_ns: Sequence[int] | np.ndarray, ohlcv: Sequence[Sequence[float]]) -> pd.DataFrame:
    """Build a page: ``timestamp`` (UTC, bar start, ns) and float64 ``open..volume``.

    ``ohlcv`` holds one ``(open, high, low, close, volume)`` row per timestamp.
    """
    values = np.asarray(ohlcv, dtype=np.float64).reshape(-1, 5)
    stamps = pd.to_datetime(np.asarray(ts_ns, dtype=np.int64), unit="ns", utc=True)
    frame = pd.DataFrame(values, columns=list(BAR_LAYOUT[1:]))
    frame.insert(0, "timestamp", pd.DatetimeIndex(stamps).as_unit("ns"))
    return frame


def empty_bars() -> pd.DataFrame:
    """A page with no bars, in the layout."""
    return bars_frame(np.empty(0, dtype=np.int64), [])


def timestamps_ns(frame: pd.DataFrame) -> np.ndarray:
    """The ``timestamp`` column as int64 UTC nanoseconds."""
    return np.asarray(pd.DatetimeIndex(frame["timestamp"]).as_unit("ns").asi8, dtype=np.int64)
