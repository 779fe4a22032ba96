"""The bar store interface, and the pieces both back-ends share.

A store keeps one table of bars keyed by ``(symbol, frequency_ns, ts_open)``. Writing is
idempotent: a row whose key is already stored with the same values is skipped; a row whose key
is stored with *different* values is a conflict, and the whole write is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from quantrail.core.errors import DataError
from quantrail.core.time import NANOS_PER_DAY, NANOS_PER_MINUTE, NANOS_PER_SECOND
from quantrail.data.frame import BarFrame, iso_utc

__all__ = [
    "TABLE",
    "VALUE_COLUMNS",
    "BarStore",
    "SeriesInfo",
    "StoreBase",
    "WriteResult",
    "check_unique_keys",
    "conflict_error",
    "format_frequency",
    "frame_from_columns",
    "missing_series_error",
    "redact_url",
]

TABLE = "bars"
"""Name of the bar table (in the DuckDB file, or in the PostgreSQL schema)."""

VALUE_COLUMNS = ("ts", "open", "high", "low", "close", "volume", "bid", "ask", "session")
"""Columns compared to decide whether a re-imported bar is the same bar or a conflict.

``source`` is provenance, not a value: the same bars imported from a renamed copy of a file are
skipped, and the first file's name is kept.
"""

_FLOAT_COLUMNS = ("open", "high", "low", "close", "volume", "bid", "ask")


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one :meth:`BarStore.write` did.

    Attributes
    ----------
    inserted : int
        Bars that were not stored yet and now are.
    skipped : int
        Bars already stored with exactly the same values (a re-import).
    """

    inserted: int
    skipped: int


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """One stored series (a symbol at one bar frequency).

    Attributes
    ----------
    symbol : str
        The instrument's symbol.
    frequency_ns : int
        Bar spacing in nanoseconds.
    first_ts, last_ts : int
        Bar start (``ts_open``, UTC ns) of the first and the last stored bar: the same time
        axis as the ``start_ns`` / ``end_ns`` bounds of :meth:`BarStore.read`.
    rows : int
        Number of stored bars.
    """

    symbol: str
    frequency_ns: int
    first_ts: int
    last_ts: int
    rows: int

    @property
    def frequency(self) -> str:
        """The frequency as a duration text such as ``"1d"`` or ``"1min"``."""
        return format_frequency(self.frequency_ns)


class BarStore(Protocol):
    """Where bars are kept between runs: one interface, several databases.

    Open one with :func:`quantrail.data.store.open_store`.
    """

    def write(self, frame: BarFrame) -> WriteResult:
        """Store every bar of ``frame`` in one transaction.

        Raises
        ------
        DataError
            The frame repeats a bar start, or a bar's key is already stored with different
            values (naming the symbol and the first conflicting bar); nothing is written.
        """
        ...

    def read(
        self, symbol: str, frequency_ns: int, start_ns: int | None = None, end_ns: int | None = None
    ) -> BarFrame:
        """Return the stored bars with ``start_ns <= ts_open < end_ns``, ordered by ``ts``.

        Raises
        ------
        DataError
            No bar of ``symbol`` at ``frequency_ns`` is stored in that range.
        """
        ...

    def list(self) -> list[SeriesInfo]:
        """Every stored series, ordered by symbol then frequency."""
        ...

    def close(self) -> None:
        """Release the connection; the store cannot be used afterwards."""
        ...

    def __enter__(self) -> Self:
        """Use as ``with open_store(url) as store:``; closes on exit."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class StoreBase:
    """Context-manager support shared by the back-ends (``with open_store(url) as store``)."""

    def close(self) -> None:  # pragma: no cover - every back-end overrides it
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def format_frequency(ns: int) -> str:
    """``86_400e9`` -> ``"1d"``, ``60e9`` -> ``"1min"``: the largest unit that divides evenly."""
    units = (("d", NANOS_PER_DAY), ("h", 3600 * NANOS_PER_SECOND), ("min", NANOS_PER_MINUTE))
    for unit, size in (*units, ("s", NANOS_PER_SECOND), ("ms", 1_000_000), ("us", 1_000)):
        if ns >= size and ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"


def redact_url(url: str) -> str:
    """The URL without its password, fit for messages and a frame's ``source``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def check_unique_keys(frame: BarFrame) -> None:
    """Refuse a frame that repeats a bar start: which of the two to keep would be a guess."""
    ts_open = frame.ts_open
    if len(ts_open) < 2 or bool(np.all(ts_open[1:] > ts_open[:-1])):
        return  # the common, sorted case costs one pass and no sort
    order = np.argsort(ts_open, kind="stable")
    repeats = np.flatnonzero(ts_open[order][1:] == ts_open[order][:-1])
    if len(repeats):
        first, again = order[repeats[0]], order[repeats[0] + 1]
        raise DataError(
            f"{frame.symbol}: bar start {iso_utc(int(ts_open[again]))} repeats row "
            f"{int(frame.row_numbers[first])}; nothing was written",
            source=frame.source,
            row=int(frame.row_numbers[again]),
            rule="duplicate_timestamp",
        )


def conflict_error(
    frame: BarFrame,
    count: int,
    ts_open: int,
    row: int,
    stored: dict[str, float],
    new: dict[str, float],
) -> DataError:
    """The error for a write that would change stored bars (``count`` of them)."""
    changed = ", ".join(
        f"{name} stored {stored[name]!r} new {new[name]!r}"
        for name in VALUE_COLUMNS
        if not _same(stored[name], new[name])
    )
    label = f"{frame.symbol}@{format_frequency(frame.frequency_ns)}"
    return DataError(
        f"{label}: {count} bar(s) already stored with different values; first at bar start "
        f"{iso_utc(ts_open)} ({changed}); nothing was written",
        source=frame.source,
        row=row,
        rule="store_conflict",
    )


def _same(a: float, b: float) -> bool:
    # NaN equals NaN here, as in both databases: an absent quote re-imported is not a change.
    return a == b or (a != a and b != b)


def missing_series_error(
    source: str, symbol: str, frequency_ns: int, start_ns: int | None, end_ns: int | None
) -> DataError:
    """The error for a read that found no bars."""
    window = ""
    if start_ns is not None or end_ns is not None:
        lo = "..." if start_ns is None else iso_utc(start_ns)
        hi = "..." if end_ns is None else iso_utc(end_ns)
        window = f" with bar start in [{lo}, {hi})"
    return DataError(
        f"no bars of {symbol} at frequency {format_frequency(frequency_ns)}{window} in the store "
        "(`quantrail data list` shows what is stored)",
        source=source,
    )


def frame_from_columns(
    url: str, symbol: str, frequency_ns: int, columns: dict[str, np.ndarray]
) -> BarFrame:
    """Build the frame a read returns; ``row_numbers`` are 1-based record numbers."""
    ints = {c: np.asarray(columns[c], dtype=np.int64) for c in ("ts", "ts_open", "session")}
    floats = {c: np.asarray(columns[c], dtype=np.float64) for c in _FLOAT_COLUMNS}
    return BarFrame(
        symbol=symbol,
        frequency_ns=frequency_ns,
        source=f"{redact_url(url)}#{symbol}@{format_frequency(frequency_ns)}",
        ts=ints["ts"],
        ts_open=ints["ts_open"],
        open=floats["open"],
        high=floats["high"],
        low=floats["low"],
        close=floats["close"],
        volume=floats["volume"],
        bid=floats["bid"],
        ask=floats["ask"],
        session=ints["session"],
        row_numbers=np.arange(1, len(ints["ts"]) + 1, dtype=np.int64),
    )
