"""Alpaca's trading REST API v2, the part a trading client needs.

Routes: ``GET /v2/account``, ``GET /v2/positions[/{symbol}]``, ``POST|GET|DELETE /v2/orders``,
``GET|PATCH|DELETE /v2/orders/{id}``, ``GET /v2/orders:by_client_order_id`` and ``GET /v2/clock``.
Errors are ``{"code", "message"}`` with Alpaca's statuses: 401 bad credentials, 403 too little
buying power, 404 unknown order or position, 422 invalid or duplicate.

Every request is numbered (the HTTP faults of the plan refer to the numbers) before its
credentials are checked, so a fault hits the k-th request whatever it asks.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from quantrail.emulator._wire import rfc3339
from quantrail.emulator.trading_book import OrderError
from quantrail.emulator.trading_records import OrderRecord

if TYPE_CHECKING:
    from quantrail.emulator.trading_venue import TradingVenue

__all__ = ["NewOrder", "add_trading_routes", "parse_new_order"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_TYPES = ("market", "limit", "stop", "stop_limit")
_TIFS = ("day", "gtc", "ioc", "fok")
_DAY_NS = 86_400_000_000_000


@dataclass(frozen=True)
class NewOrder:
    """A validated ``POST /v2/orders`` body."""

    symbol: str
    qty: float
    side: str
    type: str
    time_in_force: str
    limit_price: float | None
    stop_price: float | None
    client_order_id: str


def _invalid(message: str) -> OrderError:
    return OrderError(422, 40010001, message)


def _number(body: dict[str, Any], name: str, required: bool = False) -> float | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise _invalid(f"{name} is required")
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid(f"invalid {name}: {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise _invalid(f"{name} must be > 0")
    return number


def parse_new_order(body: dict[str, Any]) -> NewOrder:
    """Validate an order body the way Alpaca does for simple equity and crypto orders.

    Raises
    ------
    OrderError
        422 for anything missing, unknown or unsupported (notional, trailing, bracket orders).
    """
    if body.get("notional") is not None:
        raise _invalid("notional orders are not supported by the emulator")
    if body.get("order_class") not in (None, "", "simple"):
        raise _invalid(f"order_class {body['order_class']!r} is not supported by the emulator")
    symbol = str(body.get("symbol") or "")
    if not symbol:
        raise _invalid("symbol is required")
    side, kind, tif = body.get("side"), body.get("type"), body.get("time_in_force")
    if side not in ("buy", "sell"):
        raise _invalid(f"invalid side: {side!r}")
    if kind not in _TYPES:
        raise _invalid(f"invalid or unsupported order type: {kind!r}")
    if tif not in _TIFS:
        raise _invalid(f"invalid or unsupported time_in_force: {tif!r}")
    qty = _number(body, "qty", required=True)
    limit = _number(body, "limit_price", required=kind in ("limit", "stop_limit"))
    stop = _number(body, "stop_price", required=kind in ("stop", "stop_limit"))
    coid = str(body.get("client_order_id") or uuid.uuid4())
    if len(coid) > 128:
        raise _invalid("client_order_id must be at most 128 characters")
    assert qty is not None  # required above
    return NewOrder(symbol, qty, str(side), str(kind), str(tif), limit, stop, coid)


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message}, status=status)


def _not_found() -> OrderError:
    return OrderError(404, 40410000, "order not found")


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise OrderError(400, 40010000, "request body format is invalid") from None
    if not isinstance(body, dict):
        raise OrderError(400, 40010000, "request body format is invalid")
    return body


def _guarded(venue: TradingVenue, handler: Handler) -> Handler:
    """Number the request, inject its HTTP fault, check credentials, map refusals."""

    async def run(request: web.Request) -> web.StreamResponse:
        venue.stats.requests += 1
        fault = venue.faults.http_fault()
        if fault is not None:
            status, retry_after = fault
            if status == 429:
                venue.stats.responses_429 += 1
                response = _error(429, 42910000, "rate limit exceeded")
                response.headers["Retry-After"] = retry_after or "1"
                return response
            venue.stats.responses_5xx += 1
            return _error(status, 50010000, "internal server error")
        key = request.headers.get("APCA-API-KEY-ID", "")
        secret = request.headers.get("APCA-API-SECRET-KEY", "")
        if not venue.allowed(key, secret):
            return _error(401, 40110000, "request is not authorized")
        try:
            return await handler(request)
        except OrderError as exc:
            if request.method == "POST":
                venue.stats.orders_refused += 1
            return _error(exc.status, exc.code, exc.message)

    return run


class _Routes:
    """The handlers, bound to one venue."""

    def __init__(self, venue: TradingVenue) -> None:
        self.venue = venue
        self.book = venue.book

    def find(self, request: web.Request) -> OrderRecord:
        record = self.book.orders.get(request.match_info["order_id"])
        if record is None:
            raise _not_found()
        return record

    async def account(self, request: web.Request) -> web.Response:
        return web.json_response(self.venue.account())

    async def positions(self, request: web.Request) -> web.Response:
        mark = self.venue.mark
        return web.json_response([p.wire(mark(p.symbol)) for p in self.book.open_positions()])

    async def position(self, request: web.Request) -> web.Response:
        wanted = request.match_info["symbol"].replace("/", "")
        for p in self.book.open_positions():
            wire = p.wire(self.venue.mark(p.symbol))
            if wanted in (wire["symbol"], wire["asset_id"]):
                return web.json_response(wire)
        raise OrderError(404, 40410000, "position does not exist")

    async def submit(self, request: web.Request) -> web.Response:
        venue = self.venue
        answer, number = venue.submit(parse_new_order(await _json_body(request)))
        plan = venue.faults.plan
        if number in plan.submit_timeout_on:
            venue.stats.submit_timeouts += 1
            if plan.submit_timeout_delay is None:
                # The order is stored and working; only the answer is lost on the way back.
                if request.transport is not None:
                    request.transport.abort()
                raise asyncio.CancelledError
            await asyncio.sleep(plan.submit_timeout_delay)
        return web.json_response(answer)

    async def list_orders(self, request: web.Request) -> web.Response:
        query = request.query
        status = query.get("status", "open")
        symbols = {s for s in query.get("symbols", "").split(",") if s}
        limit = min(int(query.get("limit", "50")), 500)
        records = [
            r
            for r in self.book.orders.values()
            if (status == "all" or r.is_open == (status == "open"))
            and (not symbols or r.symbol in symbols)
            and query.get("side") in (None, r.side)
        ]
        if query.get("direction", "desc") == "desc":
            records.reverse()  # insertion order is submission order, ties included
        return web.json_response([r.wire() for r in records[:limit]])

    async def cancel_all(self, request: web.Request) -> web.Response:
        out = []
        for record in [r for r in self.book.orders.values() if r.is_open]:
            self.venue.cancel(record)
            out.append({"id": record.id, "status": 200, "body": record.wire()})
        return web.json_response(out, status=207)

    async def by_client_id(self, request: web.Request) -> web.Response:
        order_id = self.book.by_client_id.get(request.query.get("client_order_id", ""))
        if order_id is None:
            raise _not_found()
        return web.json_response(self.book.orders[order_id].wire())

    async def get_order(self, request: web.Request) -> web.Response:
        return web.json_response(self.find(request).wire())

    async def replace(self, request: web.Request) -> web.Response:
        record = self.find(request)
        body = await _json_body(request)
        changes: dict[str, Any] = {
            "qty": _number(body, "qty"),
            "limit_price": _number(body, "limit_price"),
            "stop_price": _number(body, "stop_price"),
            "time_in_force": body.get("time_in_force"),
            "client_order_id": body.get("client_order_id"),
        }
        if changes["time_in_force"] not in (None, *_TIFS):
            raise _invalid(f"invalid time_in_force: {changes['time_in_force']!r}")
        if changes["limit_price"] is not None and record.type not in ("limit", "stop_limit"):
            raise _invalid("limit_price applies only to limit and stop_limit orders")
        if changes["stop_price"] is not None and record.type not in ("stop", "stop_limit"):
            raise _invalid("stop_price applies only to stop and stop_limit orders")
        return web.json_response(self.venue.replace(record, changes))

    async def cancel(self, request: web.Request) -> web.Response:
        record = self.find(request)
        if not record.is_open:
            raise OrderError(422, 42210000, "order is not cancelable")
        self.venue.cancel(record)
        return web.Response(status=204)

    async def clock(self, request: web.Request) -> web.Response:
        now = self.venue.clock.now_ns()
        nxt = (now // _DAY_NS + 1) * _DAY_NS
        answer = {"timestamp": rfc3339(now), "is_open": True}
        answer.update({"next_open": rfc3339(nxt), "next_close": rfc3339(nxt)})
        return web.json_response(answer)


def add_trading_routes(app: web.Application, venue: TradingVenue) -> None:
    """Register the trading routes of ``venue`` on ``app``."""
    r = _Routes(venue)
    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/v2/account", r.account),
        ("GET", "/v2/positions", r.positions),
        ("GET", "/v2/positions/{symbol}", r.position),
        ("POST", "/v2/orders", r.submit),
        ("GET", "/v2/orders", r.list_orders),
        ("DELETE", "/v2/orders", r.cancel_all),
        ("GET", "/v2/orders:by_client_order_id", r.by_client_id),
        ("GET", "/v2/orders/{order_id}", r.get_order),
        ("PATCH", "/v2/orders/{order_id}", r.replace),
        ("DELETE", "/v2/orders/{order_id}", r.cancel),
        ("GET", "/v2/clock", r.clock),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, _guarded(venue, handler))
