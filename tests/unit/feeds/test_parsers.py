"""Venue payloads to normalised events."""

from __future__ import annotations

import pytest

from quantrail.core.errors import DataError, RateLimited, VenueRejected, VenueUnavailable
from quantrail.data.feeds import Quote, Trade
from quantrail.data.feeds.parsers import (
    parse_alpaca,
    parse_ccxt,
    parse_normalised,
    parse_rfc3339_ns,
    parser_for,
)

from .helpers import S


def test_rfc3339_keeps_nanoseconds_and_offsets() -> None:
    base = 1_613_999_504 * S  # 2021-02-22T13:11:44Z
    assert parse_rfc3339_ns("2021-02-22T13:11:44Z") == base
    assert parse_rfc3339_ns("2021-02-22T13:11:44.208123456Z") == base + 208_123_456
    assert parse_rfc3339_ns("2021-02-22T13:11:44.2Z") == base + 200_000_000
    assert parse_rfc3339_ns("2021-02-22T08:11:44.000000001-05:00") == base + 1
    with pytest.raises(ValueError, match="RFC 3339"):
        parse_rfc3339_ns("2021-02-22 13:11")


def test_alpaca_trades_quotes_and_control_messages() -> None:
    trade = {"T": "t", "S": "AAPL", "i": 96921, "x": "D", "p": 126.55, "s": 1,
             "t": "2021-02-22T15:51:44.208Z", "c": ["@", "I"], "z": "C"}  # fmt: skip
    assert parse_alpaca(trade) == [Trade("AAPL", 1_614_009_104_208_000_000, 126.55, 1.0, "96921")]
    quote = {"T": "q", "S": "AAPL", "bp": 1.0, "bs": 2, "ap": 1.1, "as": 3, "t": 5}
    assert parse_alpaca(quote) == [Quote("AAPL", 5, 1.0, 1.1, 2.0, 3.0)]
    assert parse_alpaca({"T": "subscription", "trades": ["AAPL"]}) == []
    assert parse_alpaca({"T": "b", "S": "AAPL"}) == []
    assert parse_alpaca(["not", "a", "message"]) == []
    with pytest.raises(DataError, match="malformed alpaca"):
        parse_alpaca({"T": "t", "S": "AAPL", "t": "2021-02-22T15:51:44Z"})


def test_ccxt_unified_trades() -> None:
    raw = {"id": "12", "symbol": "BTC/USDT", "timestamp": 1_700_000_000_123, "price": 35000.5,
           "amount": 0.25, "side": "buy", "info": {"t": 12}}  # fmt: skip
    assert parse_ccxt(raw) == [Trade("BTC/USDT", 1_700_000_000_123_000_000, 35000.5, 0.25, "12")]
    with pytest.raises(DataError, match="malformed ccxt"):
        parse_ccxt({"symbol": "BTC/USDT", "timestamp": None, "price": 1, "amount": 1})


def test_normalised_round_trip_and_parser_lookup() -> None:
    trade = {"symbol": "A", "ts_ns": 1, "price": 2.0, "size": 3.0, "trade_id": 7}
    assert parse_normalised(trade) == [Trade("A", 1, 2.0, 3.0, "7")]
    quote = {"symbol": "A", "ts_ns": 1, "bid": 1.0, "ask": 2.0, "bid_size": 3.0, "ask_size": 4.0}
    assert parse_normalised(quote) == [Quote("A", 1, 1.0, 2.0, 3.0, 4.0)]
    assert parser_for("ccxt:binance") is parse_ccxt
    assert parser_for("alpaca") is parse_alpaca
    with pytest.raises(DataError, match="no parser"):
        parser_for("kraken-native")


def test_ccxt_errors_map_onto_the_error_tree() -> None:
    import ccxt  # type: ignore[import-untyped]

    from quantrail.data.feeds.ccxt_feed import translate_error

    assert isinstance(translate_error(ccxt.RateLimitExceeded("x")), RateLimited)
    assert isinstance(translate_error(ccxt.DDoSProtection("x")), RateLimited)
    assert isinstance(translate_error(ccxt.NetworkError("x")), VenueUnavailable)
    assert isinstance(translate_error(ccxt.BadSymbol("x")), VenueRejected)
    other = KeyError("x")
    assert translate_error(other) is other
