"""REST plumbing shared by the venue emulations: request log, data-request faults, paging."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
from aiohttp import web

from quantrail.emulator.faults import FaultState
from quantrail.emulator.script import MarketScript
from quantrail.emulator.stats import EmulatorStats, RequestRecord

__all__ = [
    "CONTEXT_KEY",
    "RestContext",
    "VenueErrors",
    "decode_token",
    "encode_token",
    "guard",
    "log_requests",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RestContext:
    """What REST handlers share: the data, the fault state, the counters, the page cap."""

    script: MarketScript
    faults: FaultState
    stats: EmulatorStats
    max_page_size: int | None
    api_key: str | None
    api_secret: str | None

    def cap(self, requested: int, venue_max: int) -> int:
        """The page size actually served: the request, capped by the venue and the emulator."""
        cap = venue_max if self.max_page_size is None else min(venue_max, self.max_page_size)
        return max(1, min(requested, cap))


CONTEXT_KEY = web.AppKey("quantrail_rest_context", RestContext)


class VenueErrors(Protocol):
    """How a venue words its error answers."""

    def too_many_requests(self) -> web.Response: ...

    def server_error(self) -> web.Response: ...

    def rejected(self, symbol: str) -> web.Response: ...


@web.middleware
async def log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and log every REST request with the status it got (websockets excluded)."""
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await handler(request)
    ctx = request.app[CONTEXT_KEY]
    ctx.stats.requests[request.path] += 1
    status = 500  # what aiohttp answers when a handler raises something unexpected
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        status = exc.status
        raise
    else:
        status = response.status
        return response
    finally:
        record = RequestRecord(request.path, tuple(request.query.items()), status)
        ctx.stats.request_log.append(record)


def guard(ctx: RestContext, errors: VenueErrors, symbols: list[str]) -> web.Response | None:
    """Number this data request and answer it with a fault when the plan says so."""
    ctx.stats.data_requests += 1
    fault = ctx.faults.http_fault(asyncio.get_running_loop().time())
    if fault is not None and fault.status == 500:
        ctx.stats.responses_500 += 1
        return errors.server_error()
    if fault is not None:
        ctx.stats.responses_429 += 1
        response = errors.too_many_requests()
        if fault.retry_after is not None:
            response.headers["Retry-After"] = fault.retry_after
        return response
    for symbol in symbols:
        if symbol in ctx.faults.plan.reject_symbols:
            ctx.stats.rejected += 1
            return errors.rejected(symbol)
    return None


def encode_token(symbol: str, row: int) -> str:
    """An opaque page token: where the next page starts (symbol and row of its frame)."""
    return base64.urlsafe_b64encode(f"{symbol}\n{row}".encode()).decode()


def decode_token(token: str) -> tuple[str, int]:
    """Inverse of :func:`encode_token`.

    Raises
    ------
    ValueError
        When the token was not made by this emulator.
    """
    try:
        symbol, row = base64.urlsafe_b64decode(token.encode()).decode().split("\n")
        return symbol, int(row)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid page token {token!r}") from exc


def time_slice(frame: pd.DataFrame, start_ns: int | None, end_ns: int | None) -> tuple[int, int]:
    """Row range of ``frame`` with ``start <= ts <= end`` (both inclusive, as the venues)."""
    ts = frame["ts"].to_numpy()
    lo = 0 if start_ns is None else int(np.searchsorted(ts, start_ns, "left"))
    hi = len(ts) if end_ns is None else int(np.searchsorted(ts, end_ns, "right"))
    return lo, hi
