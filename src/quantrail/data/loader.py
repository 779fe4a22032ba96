"""Loading one symbol's bars from CSV or Parquet into a :class:`BarFrame`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from quantrail.core.errors import DataError
from quantrail.data._read import (
    map_columns,
    parse_numbers,
    parse_timestamps,
    read_table,
    session_days,
)
from quantrail.data.config import DataConfig
from quantrail.data.frame import BarFrame, FloatArray, IntArray

__all__ = ["BAR_COLUMNS", "QUOTE_COLUMNS", "load_bars"]

BAR_COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
"""Columns a bar file must have (matched case-insensitively); ``bid`` and ``ask`` are optional."""
QUOTE_COLUMNS = ("timestamp", "bid_close", "ask_close")
"""Columns a ``quotes_path`` file must have; its other columns are ignored."""
_PRICE_COLUMNS = ("open", "high", "low", "close", "volume")


def _resolve(path: Path, base_dir: Path | None) -> Path:
    return path if path.is_absolute() or base_dir is None else base_dir / path


def load_bars(cfg: DataConfig, base_dir: Path | None = None) -> BarFrame:
    """Load one symbol's bars, in file order, exactly as the file has them.

    Nothing is repaired, sorted or dropped: use :func:`quantrail.data.validate_bars` to find out
    whether the bars are usable.

    Parameters
    ----------
    cfg : DataConfig
        Which file, which timestamp convention, zone and frequency.
    base_dir : Path, optional
        Directory that relative ``cfg.path`` / ``cfg.quotes_path`` are resolved against
        (default: the current directory).

    Returns
    -------
    BarFrame
        ``ts`` is when each bar became known: ``timestamp + frequency`` for ``bar_start`` files,
        the file's timestamp for ``bar_end`` files. ``session`` is the local date (in
        ``cfg.session_tz``) of the file's timestamp, taken 1 ns inside the bar for ``bar_end``
        files so that a bar stamped at its close belongs to the day it traded.

    Raises
    ------
    DataError
        The file is missing, empty or unreadable; a required column is missing; a number or
        timestamp cannot be parsed (naming the line and column); timestamps have no UTC offset
        and ``cfg.timezone`` is unset; a local time is ambiguous or nonexistent.
    """
    if cfg.path is None:
        # DataConfig allows exactly one of path and store, so this is a store URL.
        from quantrail.data.store import read_configured

        return read_configured(cfg, base_dir)
    source = str(cfg.path)
    table, rows = read_table(_resolve(cfg.path, base_dir), cfg.format_of(cfg.path), source)
    columns = map_columns(table, BAR_COLUMNS, ("bid", "ask"), source)
    stamp = parse_timestamps(
        table[columns["timestamp"]], columns["timestamp"], rows, source, cfg.timezone
    )
    values = {
        name: parse_numbers(table[columns[name]], columns[name], rows, source)
        for name in _PRICE_COLUMNS
    }
    n = len(stamp)
    nan = np.full(n, np.nan)
    bid = parse_numbers(table[columns["bid"]], "bid", rows, source) if "bid" in columns else nan
    ask = parse_numbers(table[columns["ask"]], "ask", rows, source) if "ask" in columns else nan
    if cfg.quotes_path is not None:
        if "bid" in columns or "ask" in columns:
            raise DataError(
                "the file has bid/ask columns and quotes_path is also set; use one source",
                source=source,
            )
        bid, ask = _join_quotes(cfg, base_dir, stamp)

    frequency = cfg.frequency_ns
    if cfg.timestamps == "bar_start":
        ts_open, ts = stamp, stamp + frequency
        session = session_days(stamp, cfg.session_tz)
    else:
        ts_open, ts = stamp - frequency, stamp
        session = session_days(stamp - 1, cfg.session_tz)
    return BarFrame(
        symbol=cfg.symbol,
        frequency_ns=frequency,
        source=source,
        ts=ts,
        ts_open=ts_open,
        open=values["open"],
        high=values["high"],
        low=values["low"],
        close=values["close"],
        volume=values["volume"],
        bid=bid,
        ask=ask,
        session=session,
        row_numbers=rows,
    )


def _join_quotes(
    cfg: DataConfig, base_dir: Path | None, stamp: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Bid/ask close of the quote bar with the same file timestamp as each trade bar, else NaN."""
    assert cfg.quotes_path is not None
    source = str(cfg.quotes_path)
    path = _resolve(cfg.quotes_path, base_dir)
    table, rows = read_table(path, cfg.format_of(cfg.quotes_path), source)
    columns = map_columns(table, QUOTE_COLUMNS, (), source)
    q_stamp = parse_timestamps(
        table[columns["timestamp"]], columns["timestamp"], rows, source, cfg.timezone
    )
    q_bid = parse_numbers(table[columns["bid_close"]], columns["bid_close"], rows, source)
    q_ask = parse_numbers(table[columns["ask_close"]], columns["ask_close"], rows, source)

    order = np.argsort(q_stamp, kind="stable")
    sorted_stamp = q_stamp[order]
    repeats = np.flatnonzero(sorted_stamp[1:] == sorted_stamp[:-1])
    if len(repeats):
        # Two quotes for one bar: which one applies is a guess, and guesses are not allowed.
        first, again = order[repeats[0]], order[repeats[0] + 1]
        raise DataError(
            f"quote timestamp repeats line {int(rows[first])}; cannot join unambiguously",
            source=source,
            row=int(rows[again]),
            rule="duplicate_timestamp",
        )
    pos = np.minimum(np.searchsorted(sorted_stamp, stamp), len(sorted_stamp) - 1)
    matched = sorted_stamp[pos] == stamp
    bid = np.where(matched, q_bid[order][pos], np.nan)
    ask = np.where(matched, q_ask[order][pos], np.nan)
    return bid, ask
