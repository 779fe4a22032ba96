"""The real alpaca-py and ccxt.pro stream clients against the emulator's websockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable
from typing import Any

import aiohttp
import ccxt.pro as ccxtpro
import pytest
from alpaca.data.live import CryptoDataStream, StockDataStream

from quantrail.emulator import FaultPlan, MarketScript, VenueEmulator

from .conftest import BTC_MINUTE, BTC_QUOTES

TS = 1_700_000_000_123_456_789


def run(coro: Awaitable[None], timeout: float = 9.0) -> None:
    async def bounded() -> None:
        async with asyncio.timeout(timeout):
            await coro

    asyncio.run(bounded())


class AlpacaClient:
    """alpaca-py's stream on the test's loop, collecting what its handlers get."""

    def __init__(self, stream: StockDataStream | CryptoDataStream) -> None:
        self.stream = stream
        self.got: list[Any] = []
        self.task: asyncio.Task[None] | None = None

    async def handler(self, item: Any) -> None:
        self.got.append(item)

    def start(self) -> None:
        self.task = asyncio.create_task(self.stream._run_forever())

    async def wait_for(self, n: int) -> list[Any]:
        while len(self.got) < n:
            await asyncio.sleep(0.01)
        return self.got

    async def stop(self) -> None:
        await self.stream.stop_ws()
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.stream.close()


def test_alpaca_stock_stream_receives_pushed_trades_quotes_and_bars() -> None:
    async def main() -> None:
        async with VenueEmulator() as emu:
            client = AlpacaClient(StockDataStream("k", "s", url_override=emu.alpaca_stream_url))
            client.stream.subscribe_trades(client.handler, "SPY")
            client.stream.subscribe_quotes(client.handler, "SPY")
            client.stream.subscribe_bars(client.handler, "SPY")
            client.start()
            await emu.wait_for_subscribers("SPY", "bars")
            assert await emu.push_trade("SPY", 412.5, 100, ts_ns=TS) == 1
            await emu.push_quote("SPY", 412.4, 3, 412.6, 5, ts_ns=TS)
            await emu.push_bar("SPY", 1, 2, 0.5, 1.5, 1000, ts_ns=TS)
            trade, quote, bar = await client.wait_for(3)
            await client.stop()
        assert (trade.symbol, trade.price, trade.size) == ("SPY", 412.5, 100)
        assert trade.timestamp.isoformat() == "2023-11-14T22:13:20.123456+00:00"
        assert (quote.bid_price, quote.ask_price, quote.ask_size) == (412.4, 412.6, 5)
        assert (bar.open, bar.close, bar.volume) == (1, 1.5, 1000)
        assert bar.timestamp.isoformat() == "2023-11-14T22:13:00+00:00"
        assert emu.stats.messages_sent == 3

    run(main())


def test_alpaca_crypto_stream_replays_the_script() -> None:
    files = {"BTC/USD": [BTC_MINUTE, BTC_QUOTES]}
    script = MarketScript.from_files(files, replay_pace=0.0, replay_limit=5)

    async def main() -> None:
        async with VenueEmulator(script) as emu:
            url = emu.alpaca_crypto_stream_url
            client = AlpacaClient(CryptoDataStream("k", "s", url_override=url))
            client.stream.subscribe_trades(client.handler, "BTC/USD")
            client.stream.subscribe_quotes(client.handler, "BTC/USD")
            client.start()
            got = await client.wait_for(10)
            await client.stop()
        trades = [t.price for t in got if hasattr(t, "price")]
        bids = [q.bid_price for q in got if hasattr(q, "bid_price")]
        assert trades == script.bars("BTC/USD")["close"].tolist()[:5]
        assert bids == script.quotes("BTC/USD")["bid_price"].tolist()[:5]

    run(main())


async def json_client(emu: VenueEmulator, n_push: int) -> list[tuple[float, float]]:
    """A plain JSON websocket client: subscribe to SPY trades, push, read (price, seconds)."""
    out: list[tuple[float, float]] = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(emu.alpaca_stream_url) as ws,
    ):
        assert await ws.receive_json() == [{"T": "success", "msg": "connected"}]
        await ws.send_json({"action": "auth", "key": "k", "secret": "s"})
        assert (await ws.receive_json())[0]["msg"] == "authenticated"
        await ws.send_json({"action": "subscribe", "trades": ["SPY"]})
        assert (await ws.receive_json())[0]["trades"] == ["SPY"]
        for i in range(n_push):
            await emu.push_trade("SPY", 100 + i, 1, ts_ns=TS)
        start = time.monotonic()
        while True:
            try:
                msg = await ws.receive(timeout=0.5)
            except TimeoutError:
                break
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            for m in json.loads(msg.data):
                assert m["t"] == "2023-11-14T22:13:20.123456789Z"
                out.append((m["p"], time.monotonic() - start))
    return out


def test_duplicates_and_reordering_arrive_as_configured() -> None:
    async def main() -> None:
        async with VenueEmulator(faults=FaultPlan(duplicate_every=3, reorder_every=4)) as emu:
            got = await json_client(emu, 8)
            stats = emu.stats
        # 3rd and 6th sent twice; 4th swapped with the 5th; the 8th, held with nothing after
        # it, goes out alone once the hold time has passed.
        assert [p for p, _ in got] == [100, 101, 102, 102, 104, 103, 105, 105, 106, 107]
        assert got[-1][1] >= FaultPlan().reorder_hold_seconds
        assert (stats.duplicates_sent, stats.reordered, stats.messages_sent) == (2, 1, 10)

    run(main())


def test_stall_keeps_the_socket_open_but_silent() -> None:
    async def main() -> None:
        async with VenueEmulator(faults=FaultPlan(stall_after=2, stall_seconds=0.4)) as emu:
            client = AlpacaClient(StockDataStream("k", "s", url_override=emu.alpaca_stream_url))
            client.stream.subscribe_trades(client.handler, "SPY")
            client.start()
            await emu.wait_for_subscribers("SPY")
            started = time.monotonic()
            for i in range(4):
                await emu.push_trade("SPY", 100 + i, 1)
            await client.wait_for(2)
            assert time.monotonic() - started < 0.3
            await client.wait_for(4)
            assert time.monotonic() - started >= 0.4
            assert emu.stats.stalls == 1
            assert emu.stats.drops == 0
            await client.stop()
        assert [t.price for t in client.got] == [100, 101, 102, 103]

    run(main())


def test_a_drop_cuts_the_alpaca_socket_and_the_client_reconnects() -> None:
    async def main() -> None:
        async with VenueEmulator(faults=FaultPlan(drop_after=2)) as emu:
            client = AlpacaClient(StockDataStream("k", "s", url_override=emu.alpaca_stream_url))
            client.stream.subscribe_trades(client.handler, "SPY")
            client.start()
            await emu.wait_for_subscribers("SPY")
            for i in range(3):  # the third is queued on a socket that is cut after the second
                await emu.push_trade("SPY", 100 + i, 1)
            await client.wait_for(2)
            while emu.stats.connections < 2 or emu.subscribers("SPY") < 1:
                await asyncio.sleep(0.02)  # alpaca-py reconnects after its own backoff
            await emu.push_trade("SPY", 200, 1)
            await client.wait_for(3)
            await client.stop()
            stats = emu.stats
        assert [t.price for t in client.got] == [100, 101, 200]
        assert (stats.drops, stats.connections) == (1, 2)

    run(main())


def test_ccxt_pro_watch_trades_and_ohlcv_receive_pushes(script: MarketScript) -> None:
    async def main() -> None:
        async with VenueEmulator(script) as emu:
            exchange = ccxtpro.binance(emu.ccxt_config())
            try:
                watching = asyncio.create_task(exchange.watch_trades("BTC/USD"))
                await emu.wait_for_subscribers("BTC/USD")
                await emu.push_trade("BTC/USD", 7000.5, 0.25, ts_ns=TS)
                (trade,) = await watching
                candles = asyncio.create_task(exchange.watch_ohlcv("BTC/USD", "1m"))
                await emu.wait_for_subscribers("BTC/USD", "bars")
                await emu.push_bar("BTC/USD", 1, 2, 0.5, 1.5, 10, ts_ns=TS)
                (candle,) = await candles
            finally:
                await exchange.close()
        assert (trade["symbol"], trade["price"], trade["amount"]) == ("BTC/USD", 7000.5, 0.25)
        assert trade["timestamp"] == TS // 1_000_000
        assert candle == [TS // 60_000_000_000 * 60_000, 1, 2, 0.5, 1.5, 10]

    run(main())


def test_a_drop_fails_ccxt_pro_watch_with_a_network_error(script: MarketScript) -> None:
    async def main() -> None:
        async with VenueEmulator(script, FaultPlan(drop_after=1)) as emu:
            exchange = ccxtpro.binance(emu.ccxt_config())
            try:
                watching = asyncio.create_task(exchange.watch_trades("BTC/USD"))
                await emu.wait_for_subscribers("BTC/USD")
                await emu.push_trade("BTC/USD", 7000.5, 0.25)
                assert len(await watching) == 1
                with pytest.raises(ccxtpro.NetworkError):
                    await exchange.watch_trades("BTC/USD")
                # drop_repeat=False: the reconnected socket is healthy
                watching = asyncio.create_task(exchange.watch_trades("BTC/USD"))
                await emu.wait_for_subscribers("BTC/USD")
                await emu.push_trade("BTC/USD", 7001, 1)
                assert (await watching)[-1]["price"] == 7001
            finally:
                await exchange.close()
            assert (emu.stats.drops, emu.stats.connections) == (1, 2)

    run(main())


def test_wrong_keys_and_rejected_symbols_get_error_frames() -> None:
    plan = FaultPlan(reject_symbols=frozenset({"BAD"}))

    async def main() -> None:
        async with (
            VenueEmulator(faults=plan, api_key="right", api_secret="pw") as emu,
            aiohttp.ClientSession() as session,
            session.ws_connect(emu.alpaca_stream_url) as ws,
        ):
            await ws.receive_json()
            await ws.send_json({"action": "subscribe", "trades": ["SPY"]})
            assert (await ws.receive_json())[0]["code"] == 401
            await ws.send_json({"action": "auth", "key": "wrong", "secret": "pw"})
            assert (await ws.receive_json())[0] == {"T": "error", "code": 402, "msg": "auth failed"}
            await ws.send_json({"action": "auth", "key": "right", "secret": "pw"})
            assert (await ws.receive_json())[0]["msg"] == "authenticated"
            await ws.send_json({"action": "subscribe", "trades": ["BAD", "SPY"]})
            assert (await ws.receive_json())[0]["msg"] == "invalid symbol: BAD"
            assert (await ws.receive_json())[0]["trades"] == ["SPY"]
            assert emu.stats.rejected == 1

    run(main())


def test_drop_repeat_cuts_every_connection(script: MarketScript) -> None:
    async def main() -> None:
        async with VenueEmulator(script, FaultPlan(drop_after=1, drop_repeat=True)) as emu:
            exchange = ccxtpro.binance(emu.ccxt_config())
            try:
                for price in (1.0, 2.0):
                    watching = asyncio.create_task(exchange.watch_trades("BTC/USD"))
                    await emu.wait_for_subscribers("BTC/USD")
                    await emu.push_trade("BTC/USD", price, 1)
                    assert (await watching)[-1]["price"] == price
                    with pytest.raises(ccxtpro.NetworkError):
                        await exchange.watch_trades("BTC/USD")
            finally:
                await exchange.close()
            assert emu.stats.drops == 2

    run(main())
