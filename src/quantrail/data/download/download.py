"""Page-by-page historical bar downloads that survive rate limits, outages and restarts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from quantrail.core.errors import ConfigError
from quantrail.core.time import parse_duration
from quantrail.data.download.alpaca_source import AlpacaSource
from quantrail.data.download.ccxt_source import CcxtSource
from quantrail.data.download.checkpoint import Checkpoint
from quantrail.data.download.frames import timestamps_ns
from quantrail.data.download.retry import RetryPolicy, call_with_retries

__all__ = ["BarSource", "DownloadResult", "download_bars", "make_source"]

log = logging.getLogger(__name__)

Sink = Callable[[pd.DataFrame], None]


class BarSource(Protocol):
    """A venue adapter: one page of normalised bars per call, errors already translated."""

    @property
    def name(self) -> str: ...

    def fetch_page(
        self, symbol: str, frequency_ns: int, start_ns: int, end_ns: int
    ) -> pd.DataFrame: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DownloadResult:
    """How a download ended: pages and rows handed to the sink in total (earlier runs
    included), the newest bar start, and whether this run resumed from a checkpoint."""

    pages: int
    rows: int
    last_bar_start: pd.Timestamp | None
    resumed: bool
    complete: bool


def make_source(source: str | BarSource) -> BarSource:
    """``"alpaca"`` -> :class:`AlpacaSource`; ``"binance"`` or ``"ccxt:binance"`` ->
    :class:`CcxtSource`; an adapter object is returned as is."""
    if not isinstance(source, str):
        return source
    if source == "alpaca":
        return AlpacaSource()
    return CcxtSource(source.removeprefix("ccxt:"))


def _ns(value: datetime | pd.Timestamp | str, name: str) -> int:
    try:
        stamp = pd.Timestamp(value)
    except ValueError as exc:
        raise ConfigError(f"not a time: {value!r}", path=name) from exc
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return int(stamp.as_unit("ns").value)


def download_bars(
    source: str | BarSource,
    symbol: str,
    frequency: str,
    start: datetime | pd.Timestamp | str,
    end: datetime | pd.Timestamp | str,
    sink: Sink,
    checkpoint_path: Path | None = None,
    *,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DownloadResult:
    """Download bars with ``start <= bar start < end`` page by page into ``sink``.

    Each page is normalised to ``timestamp`` (UTC bar start), ``open, high, low, close,
    volume``, sorted and free of duplicates, then passed to ``sink``; only after the sink
    returns is the checkpoint written. A run that finds a checkpoint for the same request
    resumes at its cursor and drops bars at or before its last bar, so an interrupted
    download completes without refetching finished pages or duplicating bars.

    Parameters
    ----------
    source : str or BarSource
        ``"alpaca"``, a ccxt id (``"binance"``, ``"ccxt:binance"``) or an adapter object.
    symbol : str
        ``SPY``, ``BTC/USD`` ...
    frequency : str
        Bar size: ``1min``, ``1h``, ``1d`` ...
    start, end : datetime, Timestamp or str
        The half-open range; naive times are UTC.
    sink : callable
        Receives each non-empty page.
    checkpoint_path : Path, optional
        JSON file for the resume point; None downloads without one.
    retry : RetryPolicy, optional
        Retry and backoff rules; default ``RetryPolicy()``.
    sleep : callable
        How to wait between retries (injectable for tests).

    Raises
    ------
    RateLimited, VenueUnavailable
        When a page still fails after the allowed retries.
    VenueRejected
        When the venue refuses the request (unknown symbol, bad credentials).
    ConfigError
        For a bad range or frequency, or a checkpoint of a different download.
    """
    adapter = make_source(source)
    frequency_ns = parse_duration(frequency)
    start_ns, end_ns = _ns(start, "start"), _ns(end, "end")
    if end_ns <= start_ns:
        raise ConfigError(f"end ({end}) must be after start ({start})", path="end")
    fresh = Checkpoint(adapter.name, symbol, frequency, start_ns, end_ns, cursor_ns=start_ns)
    found = Checkpoint.load(checkpoint_path) if checkpoint_path is not None else None
    if found is not None and not found.same_download(fresh):
        raise ConfigError(
            "the checkpoint belongs to another download "
            f"({found.source} {found.symbol} {found.frequency}); delete it or use another path",
            path=str(checkpoint_path),
        )
    state = found or fresh
    try:
        while not state.complete:
            state = _one_page(
                adapter, symbol, frequency_ns, state, sink, retry or RetryPolicy(), sleep
            )
            if checkpoint_path is not None:
                state.save(checkpoint_path)
    finally:
        if isinstance(source, str):
            adapter.close()
    last = state.last_bar_start_ns
    return DownloadResult(
        pages=state.pages,
        rows=state.rows,
        last_bar_start=None if last is None else pd.Timestamp(last, unit="ns", tz="UTC"),
        resumed=found is not None,
        complete=state.complete,
    )


def _one_page(
    adapter: BarSource,
    symbol: str,
    frequency_ns: int,
    state: Checkpoint,
    sink: Sink,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> Checkpoint:
    cursor = state.cursor_ns
    page = call_with_retries(
        lambda: adapter.fetch_page(symbol, frequency_ns, cursor, state.end_ns),
        policy,
        sleep,
        f"{adapter.name} {symbol}",
    )
    ts = timestamps_ns(page)
    keep = (ts >= cursor) & (ts < state.end_ns)
    if state.last_bar_start_ns is not None:
        keep &= ts > state.last_bar_start_ns
    page = page[keep]
    if page.empty:
        # Nothing at or after the cursor: the venue has no more bars in the range.
        return replace(state, complete=True)
    page = page.sort_values("timestamp", kind="stable").drop_duplicates("timestamp")
    page = page.reset_index(drop=True)
    sink(page)
    last = int(np.max(timestamps_ns(page)))
    log.info(
        "%s %s: page %d, %d bars up to %s",
        adapter.name,
        symbol,
        state.pages + 1,
        len(page),
        pd.Timestamp(last, unit="ns", tz="UTC"),
    )
    state = state.advanced(last + 1, last, len(page))
    return replace(state, complete=True) if last + 1 >= state.end_ns else state
