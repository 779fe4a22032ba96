"""Shared pieces of the feed tests against quantrail.emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pandas as pd

from quantrail.data.feeds import BackoffPolicy, FeedEvent, Trade
from quantrail.emulator import MarketScript, VenueEmulator

S = 1_000_000_000
T0 = 1_704_205_800 * S  # 2024-01-02T14:30:00Z
# A fixed, jitter-free schedule: the reconnect comes 0.3 s after a drop, long enough for a
# test to push the trades that only REST will have.
POLICY = BackoffPolicy(base_s=0.3, cap_s=1.0, jitter=0.0)


def history(symbol: str, n: int, step_ms: int = 1000) -> list[Trade]:
    """Trades 1..n one ``step_ms`` apart. The emulator numbers pushed trades 1, 2, 3... across
    all symbols, so pushing exactly these, in order, gives the stream the REST ids."""
    return [
        Trade(symbol, T0 + i * step_ms * 1_000_000, 100.0 + i / 100, float(i), str(i))
        for i in range(1, n + 1)
    ]


def script(trades: list[Trade]) -> MarketScript:
    """A market whose REST trade history is ``trades`` (what backfill can find)."""
    frame = pd.DataFrame(
        {
            "ts": [t.ts_ns for t in trades],
            "price": [t.price for t in trades],
            "size": [t.size for t in trades],
            "id": [int(t.trade_id or 0) for t in trades],
        }
    )
    return MarketScript(trades={trades[0].symbol: frame})


async def push(emu: VenueEmulator, *trades: Trade) -> int:
    """Push trades to the stream; returns how many reached a subscriber."""
    reached = 0
    for t in trades:
        reached += await emu.push_trade(t.symbol, t.price, t.size, ts_ns=t.ts_ns)
    return reached


async def wait_until(predicate: object, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # type: ignore[operator]
            await asyncio.sleep(0.005)


async def take_trades(
    events: AsyncIterator[FeedEvent], n: int, timeout: float = 5.0
) -> list[Trade]:
    out: list[Trade] = []
    async with asyncio.timeout(timeout):
        while len(out) < n:
            event = await anext(events)
            if isinstance(event, Trade):
                out.append(event)
    return out
