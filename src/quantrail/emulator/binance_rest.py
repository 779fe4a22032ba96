"""Binance spot REST, the part ccxt's ``binance`` uses for public market data.

``/api/v3/exchangeInfo`` (markets: one per crypto pair of the script, id without the slash),
``/api/v3/klines`` (``startTime``/``endTime``/``limit``, default 500, max 1000),
``/api/v3/aggTrades`` and ``/api/v3/trades``, plus ``/api/v3/ping`` and ``/api/v3/time``.
Times are epoch milliseconds; prices and quantities are decimal strings, as on Binance.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
from aiohttp import web

from quantrail.emulator._http import RestContext, guard, time_slice
from quantrail.emulator._wire import decimal_str
from quantrail.emulator.script import MarketScript

__all__ = ["add_binance_rest_routes", "binance_id", "parse_binance_interval"]

_MS = 1_000_000
_INTERVAL = re.compile(r"^(\d+)([smhdw])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_FILTERS = [
    {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000", "tickSize": "0.01"},
    {"filterType": "LOT_SIZE", "minQty": "0.00000001", "maxQty": "9000", "stepSize": "0.00000001"},
    {"filterType": "NOTIONAL", "minNotional": "5", "maxNotional": "9000000"},
]


def binance_id(symbol: str) -> str:
    """``BTC/USD`` -> ``BTCUSD``."""
    return symbol.replace("/", "")


def parse_binance_interval(text: str) -> int:
    """``1m`` -> nanoseconds. Month candles (``1M``) are not emulated.

    Raises
    ------
    ValueError
        For any other spelling.
    """
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"Invalid interval: {text}")
    return int(match.group(1)) * _UNIT_S[match.group(2)] * 1_000_000_000


def markets(script: MarketScript) -> dict[str, str]:
    """Binance id -> script symbol, for the crypto pairs of the script."""
    return {binance_id(s): s for s in script.symbols if "/" in s}


class _Errors:
    def too_many_requests(self) -> web.Response:
        body = {"code": -1003, "msg": "Too many requests; slow down."}
        return web.json_response(body, status=429)

    def server_error(self) -> web.Response:
        # A bare gateway error: ccxt maps HTTP 500 without a JSON body to ExchangeNotAvailable.
        return web.Response(text="Internal Server Error", status=500)

    def rejected(self, symbol: str) -> web.Response:
        return _error(-1121, "Invalid symbol.")


_ERRORS = _Errors()


def _error(code: int, msg: str, status: int = 400) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status)


def _symbol_info(binance: str, symbol: str) -> dict[str, Any]:
    base, quote = symbol.split("/", 1)
    return {
        "symbol": binance,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": _FILTERS,
        "permissions": [],
        "permissionSets": [["SPOT"]],
    }


def _window(query: Any, limit: int, lo: int, hi: int) -> tuple[int, int]:
    # With a start, Binance pages forward from it; without one it returns the newest rows.
    if "startTime" in query or "fromId" in query:
        return lo, min(hi, lo + limit)
    return max(lo, hi - limit), hi


def _times(query: Any) -> tuple[int | None, int | None]:
    start = int(query["startTime"]) * _MS if "startTime" in query else None
    end = int(query["endTime"]) * _MS + (_MS - 1) if "endTime" in query else None
    return start, end


def _kline_rows(frame: pd.DataFrame, lo: int, hi: int, tf_ms: int) -> list[list[Any]]:
    part = frame.iloc[lo:hi]
    columns = ("ts", "open", "high", "low", "close", "volume", "n", "vw")
    return [
        [
            t // _MS,
            decimal_str(o),
            decimal_str(h),
            decimal_str(low),
            decimal_str(c),
            decimal_str(v),
            t // _MS + tf_ms - 1,
            decimal_str(v * vw),
            int(n),
            "0",
            "0",
            "0",
        ]
        for t, o, h, low, c, v, n, vw in zip(*(part[c].tolist() for c in columns), strict=True)
    ]


def _trade_rows(frame: pd.DataFrame, lo: int, hi: int, agg: bool) -> list[dict[str, Any]]:
    part = frame.iloc[lo:hi]
    out: list[dict[str, Any]] = []
    for t, p, s, i in zip(*(part[c].tolist() for c in ("ts", "price", "size", "id")), strict=True):
        if agg:
            out.append(
                {
                    "a": i,
                    "p": decimal_str(p),
                    "q": decimal_str(s),
                    "f": i,
                    "l": i,
                    "T": t // _MS,
                    "m": False,
                    "M": True,
                }
            )
        else:
            out.append(
                {
                    "id": i,
                    "price": decimal_str(p),
                    "qty": decimal_str(s),
                    "quoteQty": decimal_str(p * s),
                    "time": t // _MS,
                    "isBuyerMaker": False,
                    "isBestMatch": True,
                }
            )
    return out


class _Routes:
    def __init__(self, ctx: RestContext, clock_ms: Callable[[], int]) -> None:
        self.ctx = ctx
        self.clock_ms = clock_ms
        self.ids = markets(ctx.script)

    async def ping(self, request: web.Request) -> web.Response:
        return web.json_response({})

    async def server_time(self, request: web.Request) -> web.Response:
        return web.json_response({"serverTime": self.clock_ms()})

    async def exchange_info(self, request: web.Request) -> web.Response:
        limits = [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": 6000,
            }
        ]
        symbols = [_symbol_info(i, s) for i, s in sorted(self.ids.items())]
        return web.json_response(
            {
                "timezone": "UTC",
                "serverTime": self.clock_ms(),
                "exchangeFilters": [],
                "rateLimits": limits,
                "symbols": symbols,
            }
        )

    def _resolve(self, request: web.Request) -> str | web.Response:
        market_id = request.query.get("symbol", "")
        symbol = self.ids.get(market_id)
        fault = guard(self.ctx, _ERRORS, [symbol or market_id])
        if fault is not None:
            return fault
        if symbol is None:
            return _error(-1121, "Invalid symbol.")
        return symbol

    async def klines(self, request: web.Request) -> web.Response:
        symbol = self._resolve(request)
        if isinstance(symbol, web.Response):
            return symbol
        query = request.query
        try:
            tf = parse_binance_interval(query.get("interval", ""))
            frame = self.ctx.script.bars(symbol, tf)
            limit = self.ctx.cap(int(query.get("limit", 500)), 1000)
            lo, hi = _window(query, limit, *time_slice(frame, *_times(query)))
        except ValueError as exc:
            return _error(-1120, str(exc))
        return web.json_response(_kline_rows(frame, lo, hi, tf // _MS))

    async def trades(self, request: web.Request) -> web.Response:
        symbol = self._resolve(request)
        if isinstance(symbol, web.Response):
            return symbol
        query = request.query
        frame = self.ctx.script.trades(symbol)
        try:
            limit = self.ctx.cap(int(query.get("limit", 500)), 1000)
            lo, hi = time_slice(frame, *_times(query))
            if "fromId" in query:
                lo = max(lo, int((frame["id"].to_numpy() < int(query["fromId"])).sum()))
            lo, hi = _window(query, limit, lo, hi)
        except ValueError as exc:
            return _error(-1100, str(exc))
        return web.json_response(_trade_rows(frame, lo, hi, request.path.endswith("aggTrades")))


def add_binance_rest_routes(
    app: web.Application, ctx: RestContext, clock_ms: Callable[[], int]
) -> None:
    """Register the Binance spot public routes under ``/api/v3`` on ``app``."""
    routes = _Routes(ctx, clock_ms)
    app.router.add_get("/api/v3/ping", routes.ping)
    app.router.add_get("/api/v3/time", routes.server_time)
    app.router.add_get("/api/v3/exchangeInfo", routes.exchange_info)
    app.router.add_get("/api/v3/klines", routes.klines)
    app.router.add_get("/api/v3/aggTrades", routes.trades)
    app.router.add_get("/api/v3/trades", routes.trades)
