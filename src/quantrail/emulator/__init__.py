"""A local emulator of trading venues' market data and Alpaca trading, with fault injection.

It speaks Alpaca's market-data REST and websocket and Binance's spot REST and websocket well
enough that the real alpaca-py and ccxt / ccxt.pro clients work against it with only their
base URLs changed; with ``trading=TradingSetup(...)`` it also serves Alpaca's trading API and
trade-updates stream, filling orders through an injected fill model. See docs/emulator.md.

Typical use::

    async with VenueEmulator(script=MarketScript.from_files({...}), faults=FaultPlan()) as emu:
        client = StockHistoricalDataClient(key, secret, url_override=emu.alpaca_rest_url)
        await emu.push_trade("SPY", 412.5, 100)
"""

from quantrail.emulator._thread import EmulatorHandle
from quantrail.emulator.faults import FaultPlan
from quantrail.emulator.script import MarketScript, infer_symbol
from quantrail.emulator.server import VenueEmulator, ccxt_config_for
from quantrail.emulator.stats import EmulatorStats, RequestRecord
from quantrail.emulator.trading_book import MatcherFactory, OrderMatcher
from quantrail.emulator.trading_faults import TradingFaultPlan, TradingStats
from quantrail.emulator.trading_handle import TradingHandle
from quantrail.emulator.trading_setup import TradingSetup
from quantrail.emulator.trading_venue import TradingVenue

__all__ = [
    "EmulatorHandle",
    "EmulatorStats",
    "FaultPlan",
    "MarketScript",
    "MatcherFactory",
    "OrderMatcher",
    "RequestRecord",
    "TradingFaultPlan",
    "TradingHandle",
    "TradingSetup",
    "TradingStats",
    "TradingVenue",
    "VenueEmulator",
    "ccxt_config_for",
    "infer_symbol",
]
