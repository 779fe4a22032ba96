"""The raw protocol, for adapters that do not use alpaca-py, and the emulator driven from async
code and by a pace instead of explicit steps."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp

from quantrail.emulator import TradingSetup, VenueEmulator

from .helpers import OrderStatus, client_for, fill_simulator, market, request, start

HEADERS = {"APCA-API-KEY-ID": "k", "APCA-API-SECRET-KEY": "s"}
AUTH = {"action": "authenticate", "data": {"key_id": "k", "secret_key": "s"}}


async def receive(ws: aiohttp.ClientWebSocketResponse) -> Any:
    message = await ws.receive(timeout=5)
    assert message.type is aiohttp.WSMsgType.BINARY  # JSON in binary frames, as Alpaca sends
    return json.loads(message.data)


def test_stream_and_rest_wire_format_from_async_code() -> None:
    async def main() -> list[Any]:
        async with (
            VenueEmulator(market(), trading=TradingSetup(matcher=fill_simulator)) as emu,
            aiohttp.ClientSession() as http,
            http.ws_connect(emu.alpaca_trading_stream_url) as ws,
        ):
            assert emu.trading is not None
            await ws.send_json(AUTH)
            assert await receive(ws) == {
                "stream": "authorization",
                "data": {"action": "authenticate", "status": "authorized"},
            }
            await ws.send_json({"action": "listen", "data": {"streams": ["trade_updates"]}})
            assert await receive(ws) == {
                "stream": "listening",
                "data": {"streams": ["trade_updates"]},
            }
            body = {"symbol": "AAPL", "qty": "3", "side": "buy", "type": "market"}
            body.update({"time_in_force": "day", "client_order_id": "raw"})
            url = f"{emu.alpaca_rest_url}/v2/orders"
            async with http.post(url, json=body, headers=HEADERS) as answer:
                assert answer.status == 200
                order = await answer.json()
            assert (order["qty"], order["status"], order["order_class"]) == ("3", "new", "simple")
            assert emu.trading.advance_bars(1) == 1
            return [await receive(ws), await receive(ws)]

    new, fill = asyncio.run(main())
    assert new["stream"] == "trade_updates"
    assert (new["data"]["event"], new["data"]["order"]["client_order_id"]) == ("new", "raw")
    assert new["data"]["timestamp"] == "2024-01-02T14:30:00Z"  # replayed time, not wall time
    data = fill["data"]
    assert (data["event"], data["price"], data["qty"], data["position_qty"]) == (
        "fill",
        "100",
        "3",
        "3",
    )
    assert data["order"]["filled_avg_price"] == "100"
    assert data["timestamp"] == "2024-01-02T14:30:00Z"  # filled at bar 0's open


def test_wrong_credentials_are_refused_on_the_stream() -> None:
    async def main() -> Any:
        setup = TradingSetup(matcher=fill_simulator)
        emulator = VenueEmulator(market(), trading=setup, api_key="k", api_secret="other")
        async with (
            emulator as emu,
            aiohttp.ClientSession() as http,
            http.ws_connect(emu.alpaca_trading_stream_url) as ws,
        ):
            await ws.send_json(AUTH)
            refused = await receive(ws)
            closing = await ws.receive(timeout=5)
            return refused, closing.type

    refused, closing = asyncio.run(main())
    assert refused["data"]["status"] == "unauthorized"
    assert closing is aiohttp.WSMsgType.CLOSE


def test_a_pace_replays_the_bars_by_itself() -> None:
    with start(bar_pace=0.01) as emu:
        client = client_for(emu)
        order = client.submit_order(request("paced"))
        deadline = time.monotonic() + 5
        while emu.stats.bars_processed < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert emu.stats.bars_processed == 40  # both symbols, both sessions, then it stops
        assert client.get_order_by_id(order.id).status is OrderStatus.FILLED
