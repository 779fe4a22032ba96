"""`quantrail feed`: print a live or replayed feed's events as they arrive."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import typer

from quantrail.core.bar import Bar
from quantrail.core.errors import ConfigError
from quantrail.data.feeds import (
    FeedEvent,
    Quote,
    Recorder,
    ReplayFeed,
    ResilientFeed,
    Trade,
)
from quantrail.data.frame import iso_utc

__all__ = ["feed_command", "format_event"]

SOURCES = ("alpaca", "alpaca-crypto", "ccxt:<exchange id>")


def format_event(event: FeedEvent) -> str:
    """One line per event: kind, symbol, exchange time, then the values."""
    if isinstance(event, Trade):
        tid = "" if event.trade_id is None else f" id={event.trade_id}"
        return f"trade {event.symbol} {iso_utc(event.ts_ns)} {event.price} x {event.size}{tid}"
    if isinstance(event, Quote):
        return (
            f"quote {event.symbol} {iso_utc(event.ts_ns)} "
            f"{event.bid_size} @ {event.bid} / {event.ask} x {event.ask_size}"
        )
    assert isinstance(event, Bar)
    return (
        f"bar {event.symbol} {iso_utc(event.ts)} o={event.open} h={event.high} "
        f"l={event.low} c={event.close} v={event.volume}"
    )


def _ws_url(base: str, path: str) -> str:
    parts = urlsplit(base)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def _live_feed(source: str, url: str | None, recorder: Recorder | None) -> ResilientFeed:
    """Build the adapter for ``source``; venue libraries are imported only when used."""
    if source in ("alpaca", "alpaca-crypto"):
        from quantrail.data.feeds.alpaca_feed import AlpacaTradeFeed

        crypto = source == "alpaca-crypto"
        key = os.environ.get("APCA_API_KEY_ID")
        secret = os.environ.get("APCA_API_SECRET_KEY")
        if not key or not secret:
            raise ConfigError("set APCA_API_KEY_ID and APCA_API_SECRET_KEY", path="environment")
        stream = None
        if url is not None:
            stream = _ws_url(url, "/v1beta3/crypto/us" if crypto else "/v2/iex")
        return AlpacaTradeFeed(
            key, secret, crypto=crypto, stream_url=stream, rest_url=url, recorder=recorder
        )
    if source.startswith("ccxt:") and len(source) > len("ccxt:"):
        from quantrail.data.feeds.ccxt_feed import CcxtTradeFeed

        exchange_id = source.split(":", 1)[1]
        config: dict[str, Any] = {"enableRateLimit": True}
        if url is not None:
            if exchange_id != "binance":
                raise ConfigError("--url is supported for ccxt:binance only", path="--url")
            rest, ws = url.rstrip("/") + "/api/v3", _ws_url(url, "/stream/ws")
            config["urls"] = {"api": {"public": rest, "private": rest, "ws": {"spot": ws}}}
            config["options"] = {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False}
        return CcxtTradeFeed(exchange_id, config, recorder=recorder)
    raise ConfigError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}", path="source")


async def _stream(
    source: str,
    symbols: list[str],
    record: Path | None,
    url: str | None,
    replay: Path | None,
    speed: float,
    limit: int | None,
) -> int:
    recorder = Recorder(record) if record is not None and replay is None else None
    feed: ResilientFeed | ReplayFeed
    try:
        if replay is not None:
            feed = ReplayFeed.from_recording(replay, speed=speed, symbols=symbols or None)
        else:
            if not symbols:
                raise ConfigError("give at least one symbol", path="symbols")
            feed = _live_feed(source, url, recorder)
            await feed.subscribe(symbols)
        count = 0
        async with feed:
            async for event in feed.events():
                typer.echo(format_event(event))
                count += 1
                if limit is not None and count >= limit:
                    break
        counters = feed.counters.as_dict()
        typer.echo(" ".join(f"{k}={v}" for k, v in counters.items() if v), err=True)
        return count
    finally:
        if recorder is not None:
            recorder.close()


def feed_command(
    source: str,
    symbols: list[str],
    record: Path | None,
    url: str | None,
    replay: Path | None,
    speed: float,
    limit: int | None = None,
) -> None:
    """Stream ``symbols`` from ``source`` (or play ``replay``) and print every event.

    Parameters
    ----------
    source : str
        ``alpaca`` (stocks), ``alpaca-crypto`` or ``ccxt:<exchange id>``; ignored with
        ``replay``. Alpaca keys come from ``APCA_API_KEY_ID``/``APCA_API_SECRET_KEY``.
    symbols : list of str
        Instruments to stream; with ``replay``, a filter (empty: all).
    record : Path or None
        Write every raw message to this JSONL recording (live only).
    url : str or None
        One base URL serving both REST and the stream, e.g. the quantrail emulator's
        ``http://127.0.0.1:<port>``; for ccxt only the Binance layout is known.
    replay : Path or None
        Play this recording instead of connecting.
    speed : float
        Replay pace: 1 = as recorded, 10 = ten times faster, 0 = as fast as possible.
    limit : int or None
        Stop after this many events (default: until interrupted or the recording ends).
    """
    if replay is not None and record is not None:
        raise ConfigError("--record and --replay cannot be combined", path="--record")
    try:
        asyncio.run(_stream(source, symbols, record, url, replay, speed, limit))
    except KeyboardInterrupt:
        # The feed closed its connections while asyncio.run cancelled the stream.
        typer.echo("interrupted", err=True)
        sys.exit(130)
