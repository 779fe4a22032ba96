"""The real alpaca-py and ccxt clients page through the emulator's REST endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import ccxt
import pandas as pd
import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.historical import CryptoHistoricalDataClient, StockHistoricalDataClient
from alpaca.data.requests import CryptoBarsRequest, CryptoTradesRequest, StockBarsRequest
from alpaca.data.timeframe import TimeFrame

from quantrail.emulator import EmulatorHandle, FaultPlan, MarketScript, VenueEmulator

from .conftest import BTC_MINUTE, ETH_MINUTE, SPY_DAILY, read_source


@pytest.fixture
def emu(script: MarketScript) -> Iterator[EmulatorHandle]:
    with VenueEmulator.start_in_thread(script=script, max_page_size=100) as handle:
        yield handle


def bars_frame(bars: list) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime([b.timestamp for b in bars], utc=True).as_unit("ns"),
            "open": [b.open for b in bars],
            "high": [b.high for b in bars],
            "low": [b.low for b in bars],
            "close": [b.close for b in bars],
            "volume": [b.volume for b in bars],
        }
    )


def test_alpaca_stock_bars_follow_page_tokens_to_the_exact_source(emu: EmulatorHandle) -> None:
    client = StockHistoricalDataClient("key", "secret", url_override=emu.alpaca_rest_url)
    request = StockBarsRequest(symbol_or_symbols="SPY", timeframe=TimeFrame.Day)
    got = bars_frame(client.get_stock_bars(request).data["SPY"])
    client._session.close()
    expected = read_source(SPY_DAILY)
    pd.testing.assert_frame_equal(got, expected)
    pages = emu.stats.requests_to("/v2/stocks/bars")
    assert len(pages) == -(-len(expected) // 100)  # 100 per page, the last one partial
    assert [p.param("page_token") is None for p in pages].count(True) == 1


def test_alpaca_crypto_bars_multi_symbol_and_trades_page_without_gaps(
    emu: EmulatorHandle,
) -> None:
    client = CryptoHistoricalDataClient(url_override=emu.alpaca_rest_url)
    request = CryptoBarsRequest(
        symbol_or_symbols=["ETH/USD", "BTC/USD"],
        timeframe=TimeFrame.Minute,
        start=datetime(2018, 4, 4, 12, tzinfo=UTC),
        end=datetime(2018, 4, 4, 18, tzinfo=UTC),
    )
    data = client.get_crypto_bars(request).data
    for symbol, path in (("BTC/USD", BTC_MINUTE), ("ETH/USD", ETH_MINUTE)):
        source = read_source(path)
        inside = (source.timestamp >= "2018-04-04 12:00Z") & (
            source.timestamp <= "2018-04-04 18:00Z"
        )
        expected = source[inside].reset_index(drop=True)
        pd.testing.assert_frame_equal(bars_frame(data[symbol]), expected)
    # 2 x ~300 bars at 100 a page: tokens carried the position across the symbol boundary.
    assert len(emu.stats.requests_to("/crypto/us/bars")) == -(
        -(len(data["BTC/USD"]) + len(data["ETH/USD"])) // 100
    )
    btc = read_source(BTC_MINUTE)
    trades = client.get_crypto_trades(
        CryptoTradesRequest(symbol_or_symbols="BTC/USD", start=datetime(2018, 4, 4, 12, tzinfo=UTC))
    ).data["BTC/USD"]
    client._session.close()
    assert [t.price for t in trades] == btc[btc.timestamp >= "2018-04-04 12:00Z"].close.tolist()
    assert len({t.id for t in trades}) == len(trades)


def test_alpaca_hour_bars_are_resampled_from_minutes(emu: EmulatorHandle) -> None:
    client = CryptoHistoricalDataClient(url_override=emu.alpaca_rest_url)
    request = CryptoBarsRequest(symbol_or_symbols="BTC/USD", timeframe=TimeFrame.Hour)
    got = bars_frame(client.get_crypto_bars(request).data["BTC/USD"]).set_index("timestamp")
    client._session.close()
    source = read_source(BTC_MINUTE).set_index("timestamp")
    hourly = source.resample("1h").agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    )
    pd.testing.assert_frame_equal(got, hourly.dropna(), check_freq=False)


def test_ccxt_binance_loads_markets_in_one_request_and_pages_klines(emu: EmulatorHandle) -> None:
    exchange = ccxt.binance(emu.ccxt_config())
    try:
        markets = exchange.load_markets()
        assert set(markets) == {"BTC/USD", "ETH/USD"}
        since, rows = 1522800000000, []
        while True:
            page = exchange.fetch_ohlcv("BTC/USD", "1m", since=since, limit=1000)
            if not page:
                break
            rows += page
            since = page[-1][0] + 1
        trades = exchange.fetch_trades("BTC/USD", since=1522800000000, limit=5)
    finally:
        exchange.session.close()
    got = pd.DataFrame(rows, columns=["timestamp", "open", "high", "low", "close", "volume"])
    got["timestamp"] = pd.to_datetime(got["timestamp"], unit="ms", utc=True).dt.as_unit("ns")
    pd.testing.assert_frame_equal(got, read_source(BTC_MINUTE))
    stats = emu.stats
    assert stats.requests["/api/v3/exchangeInfo"] == 1
    assert stats.requests["/api/v3/klines"] == -(-len(got) // 100) + 1  # capped pages + empty
    assert [t["price"] for t in trades] == got.close[:5].tolist()


def test_rejected_symbols_get_4xx_on_both_venues(script: MarketScript) -> None:
    plan = FaultPlan(reject_symbols=frozenset({"SPY", "BTC/USD"}))
    with VenueEmulator.start_in_thread(script=script, faults=plan) as emu:
        client = StockHistoricalDataClient("key", "secret", url_override=emu.alpaca_rest_url)
        with pytest.raises(APIError) as caught:
            client.get_stock_bars(
                StockBarsRequest(symbol_or_symbols="SPY", timeframe=TimeFrame.Day)
            )
        client._session.close()
        assert caught.value.status_code == 400
        exchange = ccxt.binance(emu.ccxt_config())
        try:
            with pytest.raises(ccxt.BadSymbol):
                exchange.fetch_ohlcv("BTC/USD", "1m", since=1522800000000)
        finally:
            exchange.session.close()
        assert emu.stats.rejected == 2


def test_500_and_429_are_counted_and_carry_retry_after(script: MarketScript) -> None:
    plan = FaultPlan(http_500_on=(1,), http_429_on=(2,), retry_after=7)
    with VenueEmulator.start_in_thread(script=script, faults=plan) as emu:
        exchange = ccxt.binance(emu.ccxt_config())
        try:
            with pytest.raises(ccxt.ExchangeNotAvailable):
                exchange.fetch_ohlcv("BTC/USD", "1m", since=1522800000000)
            with pytest.raises(ccxt.DDoSProtection):
                exchange.fetch_ohlcv("BTC/USD", "1m", since=1522800000000)
            assert exchange.last_response_headers["Retry-After"] == "7"
            assert len(exchange.fetch_ohlcv("BTC/USD", "1m", since=1522800000000)) == 500
        finally:
            exchange.session.close()
        stats = emu.stats
    assert (stats.responses_500, stats.responses_429, stats.data_requests) == (1, 1, 3)
    assert [r.status for r in stats.requests_to("/klines")] == [500, 429, 200]


def test_a_rate_limit_answers_the_excess_with_429(script: MarketScript) -> None:
    with VenueEmulator.start_in_thread(script=script, faults=FaultPlan(rate_limit=3)) as emu:
        exchange = ccxt.binance({**emu.ccxt_config(), "enableRateLimit": False})
        statuses = []
        try:
            exchange.load_markets()
            for _ in range(5):
                try:
                    exchange.fetch_ohlcv("BTC/USD", "1m", since=1522800000000, limit=1)
                    statuses.append(200)
                except ccxt.DDoSProtection:
                    statuses.append(429)
        finally:
            exchange.session.close()
        assert statuses == [200, 200, 200, 429, 429]
        assert emu.stats.responses_429 == 2
