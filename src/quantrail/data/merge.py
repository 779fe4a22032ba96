"""Merging several symbols' frames into one time-ordered event stream."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quantrail.core.errors import DataError
from quantrail.data.frame import BarFrame, FloatArray, IntArray, iso_utc

__all__ = ["MergedStream", "merge_frames"]

_COLUMNS = ("ts", "ts_open", "open", "high", "low", "close", "volume", "bid", "ask", "session")


@dataclass(frozen=True, eq=False)
class MergedStream:
    """Bars of several symbols in the order an engine must see them.

    Event ``k`` is row ``row_index[k]`` of frame ``symbol_index[k]``; the other arrays repeat
    that row's columns so a consumer need not go back to the frames.

    Attributes
    ----------
    symbols : list of str
        Symbol of each input frame, in input order; ``symbols[symbol_index[k]]``.
    symbol_index : ndarray of int64
        Which frame each event comes from.
    row_index : ndarray of int64
        0-based row of the event within its frame.
    ts, ts_open, session : ndarray of int64
        As in :class:`~quantrail.data.frame.BarFrame`; ``ts`` is non-decreasing.
    open, high, low, close, volume, bid, ask : ndarray of float64
        As in :class:`~quantrail.data.frame.BarFrame`.
    """

    symbols: list[str]
    symbol_index: IntArray
    row_index: IntArray
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

    def __post_init__(self) -> None:
        # Read-only like BarFrame: the stream is shared by whoever consumes it.
        for name in ("symbol_index", "row_index", *_COLUMNS):
            getattr(self, name).flags.writeable = False

    def __len__(self) -> int:
        return len(self.ts)


def merge_frames(frames: list[BarFrame]) -> MergedStream:
    """Interleave frames by ``ts`` (when each bar became known).

    The sort is stable: bars known at the same instant come in the order of ``frames``, and
    within one frame in file order, so the stream is the same on every run.

    Parameters
    ----------
    frames : list of BarFrame
        One frame per symbol; each must already be in time order (validate it first).

    Returns
    -------
    MergedStream

    Raises
    ------
    DataError
        Two frames have the same symbol, or a frame's ``ts`` goes backwards (merging would
        silently reorder its rows).
    """
    symbols = [f.symbol for f in frames]
    seen: dict[str, str] = {}
    for f in frames:
        if f.symbol in seen:
            raise DataError(
                f"symbol {f.symbol} is loaded twice (also from {seen[f.symbol]})",
                source=f.source,
            )
        seen[f.symbol] = f.source
        back = np.flatnonzero(f.ts[1:] < f.ts[:-1])
        if len(back):
            i = int(back[0]) + 1
            raise DataError(
                f"bar known at {iso_utc(int(f.ts[i]))} comes after one known later; "
                "validate the data before merging",
                source=f.source,
                row=int(f.row_numbers[i]),
                rule="out_of_order",
            )

    lengths = np.array([len(f) for f in frames], dtype=np.int64)
    symbol_index = np.repeat(np.arange(len(frames), dtype=np.int64), lengths)
    row_index = np.concatenate(
        [np.arange(n, dtype=np.int64) for n in lengths] or [np.empty(0, np.int64)]
    )

    def ints(name: str) -> IntArray:
        parts: list[IntArray] = [getattr(f, name) for f in frames]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def floats(name: str) -> FloatArray:
        parts: list[FloatArray] = [getattr(f, name) for f in frames]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)

    if len(frames) == 1:
        # One symbol is already in order: share its arrays instead of copying every column.
        only = frames[0]
        return MergedStream(
            symbols=symbols,
            symbol_index=symbol_index,
            row_index=row_index,
            ts=only.ts,
            ts_open=only.ts_open,
            open=only.open,
            high=only.high,
            low=only.low,
            close=only.close,
            volume=only.volume,
            bid=only.bid,
            ask=only.ask,
            session=only.session,
        )
    ts = ints("ts")
    # Concatenation is in frame order, so a stable sort breaks ties by frame, then by row.
    order = np.argsort(ts, kind="stable")
    return MergedStream(
        symbols=symbols,
        symbol_index=symbol_index[order],
        row_index=row_index[order],
        ts=ts[order],
        ts_open=ints("ts_open")[order],
        open=floats("open")[order],
        high=floats("high")[order],
        low=floats("low")[order],
        close=floats("close")[order],
        volume=floats("volume")[order],
        bid=floats("bid")[order],
        ask=floats("ask")[order],
        session=ints("session")[order],
    )
