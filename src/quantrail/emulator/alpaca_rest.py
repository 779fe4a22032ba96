"""Alpaca market-data REST: ``/v2/stocks/{bars,trades,quotes}`` and
``/v1beta3/crypto/{loc}/{bars,trades,quotes}``, paged with ``next_page_token``.

Shapes follow the v2 API that alpaca-py parses: ``{"bars": {"SPY": [{"t", "o", "h", "l", "c",
"v", "n", "vw"}, ...]}, "next_page_token": "..." | null}``. Symbols come back in sorted order;
``limit`` (default 1000) is capped at 10,000 or the emulator's ``max_page_size``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
from aiohttp import web

from quantrail.emulator._http import (
    RestContext,
    decode_token,
    encode_token,
    guard,
    time_slice,
)
from quantrail.emulator._wire import parse_time_ns, rfc3339

__all__ = ["add_alpaca_rest_routes", "parse_alpaca_timeframe"]

_MAX_LIMIT = 10_000
_DEFAULT_LIMIT = 1_000
_TIMEFRAME = re.compile(r"^(\d+)(Min|T|Hour|H|Day|D)$")
_UNIT_NS = {"Min": 60, "T": 60, "Hour": 3600, "H": 3600, "Day": 86_400, "D": 86_400}

Item = dict[str, Any]


def parse_alpaca_timeframe(text: str) -> int:
    """``5Min`` -> nanoseconds. Week and month bars are not emulated.

    Raises
    ------
    ValueError
        For any other spelling.
    """
    match = _TIMEFRAME.match(text)
    if not match:
        raise ValueError(f"invalid or unsupported timeframe: {text}")
    return int(match.group(1)) * _UNIT_NS[match.group(2)] * 1_000_000_000


class _Errors:
    def too_many_requests(self) -> web.Response:
        return web.json_response({"message": "too many requests."}, status=429)

    def server_error(self) -> web.Response:
        return web.json_response({"message": "internal server error"}, status=500)

    def rejected(self, symbol: str) -> web.Response:
        return _bad_request(f"invalid symbol: {symbol}")


_ERRORS = _Errors()


def _bad_request(message: str, status: int = 400) -> web.Response:
    return web.json_response({"code": 40010001, "message": message}, status=status)


def _bar_items(frame: pd.DataFrame, lo: int, hi: int, crypto: bool) -> list[Item]:
    part = frame.iloc[lo:hi]
    return [
        {"t": rfc3339(t), "o": o, "h": h, "l": lo_, "c": c, "v": v, "n": int(n), "vw": vw}
        for t, o, h, lo_, c, v, n, vw in zip(
            part["ts"].tolist(),
            part["open"].tolist(),
            part["high"].tolist(),
            part["low"].tolist(),
            part["close"].tolist(),
            part["volume"].tolist(),
            part["n"].tolist(),
            part["vw"].tolist(),
            strict=True,
        )
    ]


def _trade_items(frame: pd.DataFrame, lo: int, hi: int, crypto: bool) -> list[Item]:
    part = frame.iloc[lo:hi]
    rows = zip(
        part["ts"].tolist(),
        part["price"].tolist(),
        part["size"].tolist(),
        part["id"].tolist(),
        strict=True,
    )
    if crypto:
        return [{"t": rfc3339(t), "p": p, "s": s, "tks": "B", "i": i} for t, p, s, i in rows]
    return [
        {"t": rfc3339(t), "x": "V", "p": p, "s": s, "c": ["@"], "i": i, "z": "C"}
        for t, p, s, i in rows
    ]


def _quote_items(frame: pd.DataFrame, lo: int, hi: int, crypto: bool) -> list[Item]:
    part = frame.iloc[lo:hi]
    items: list[Item] = []
    for t, bp, bs, ap, asz in zip(
        part["ts"].tolist(),
        part["bid_price"].tolist(),
        part["bid_size"].tolist(),
        part["ask_price"].tolist(),
        part["ask_size"].tolist(),
        strict=True,
    ):
        item: Item = {"t": rfc3339(t), "bp": bp, "bs": bs, "ap": ap, "as": asz}
        if not crypto:
            item.update({"bx": "V", "ax": "V", "c": ["R"], "z": "C"})
        items.append(item)
    return items


def _page(
    frames: dict[str, pd.DataFrame],
    window: tuple[int | None, int | None],
    limit: int,
    token: str | None,
    to_items: Callable[[pd.DataFrame, int, int], list[Item]],
) -> tuple[dict[str, list[Item]], str | None]:
    """One page across symbols (sorted), resuming at the token's symbol and row."""
    names = sorted(frames)
    first_symbol, first_row = decode_token(token) if token else (names[0], 0)
    out: dict[str, list[Item]] = {}
    remaining = limit
    for symbol in names:
        if symbol < first_symbol:
            continue
        lo, hi = time_slice(frames[symbol], *window)
        if symbol == first_symbol:
            lo = max(lo, first_row)
        if lo >= hi:
            continue
        if remaining == 0:
            return out, encode_token(symbol, lo)
        take = min(remaining, hi - lo)
        out[symbol] = to_items(frames[symbol], lo, lo + take)
        remaining -= take
        if lo + take < hi:
            return out, encode_token(symbol, lo + take)
    return out, None


def _authorised(ctx: RestContext, request: web.Request) -> bool:
    key = request.headers.get("APCA-API-KEY-ID")
    secret = request.headers.get("APCA-API-SECRET-KEY")
    if not key or not secret:
        return False
    return (ctx.api_key is None or key == ctx.api_key) and (
        ctx.api_secret is None or secret == ctx.api_secret
    )


def _make_handler(ctx: RestContext, kind: str, crypto: bool) -> Callable[..., Any]:
    async def handle(request: web.Request) -> web.Response:
        # Alpaca requires keys for stock data; crypto data is open.
        if not crypto and not _authorised(ctx, request):
            return web.json_response({"message": "unauthorized."}, status=401)
        query = request.query
        symbols = [s for s in query.get("symbols", "").split(",") if s]
        if not symbols:
            return _bad_request("missing symbols")
        fault = guard(ctx, _ERRORS, symbols)
        if fault is not None:
            return fault
        if query.get("sort", "asc") != "asc":
            return _bad_request("the emulator serves sort=asc only", status=422)
        try:
            start = parse_time_ns(query["start"]) if "start" in query else None
            end = parse_time_ns(query["end"]) if "end" in query else None
            limit = ctx.cap(int(query.get("limit", _DEFAULT_LIMIT)), _MAX_LIMIT)
            token = query.get("page_token") or None
            if kind == "bars":
                tf = parse_alpaca_timeframe(query.get("timeframe", ""))
                frames = {s: ctx.script.bars(s, tf) for s in symbols}
            elif kind == "trades":
                frames = {s: ctx.script.trades(s) for s in symbols}
            else:
                frames = {s: ctx.script.quotes(s) for s in symbols}
            builder = {"bars": _bar_items, "trades": _trade_items, "quotes": _quote_items}[kind]
            items, next_token = _page(
                frames, (start, end), limit, token, lambda f, lo, hi: builder(f, lo, hi, crypto)
            )
        except ValueError as exc:
            return _bad_request(str(exc), status=422)
        return web.json_response({kind: items, "next_page_token": next_token})

    return handle


def add_alpaca_rest_routes(app: web.Application, ctx: RestContext) -> None:
    """Register the stock (v2) and crypto (v1beta3) market-data routes on ``app``."""
    for kind in ("bars", "trades", "quotes"):
        app.router.add_get(f"/v2/stocks/{kind}", _make_handler(ctx, kind, crypto=False))
        app.router.add_get("/v1beta3/crypto/{loc}/" + kind, _make_handler(ctx, kind, crypto=True))
