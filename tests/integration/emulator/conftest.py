"""Shared data for the emulator tests: bundled files served by the emulator, read back plainly."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from quantrail.emulator import MarketScript

DATA = Path(__file__).resolve().parents[3] / "data"
SPY_DAILY = DATA / "equity_daily_SPY.csv"
BTC_MINUTE = DATA / "crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv"
ETH_MINUTE = DATA / "crypto_minute_ETHUSD_2018-04-04_2018-04-05.csv"
BTC_QUOTES = DATA / "quote_minute_BTCUSD_2018-04-04_2018-04-05.csv"

with warnings.catch_warnings():
    # alpaca-py imports websockets.legacy (deprecated upstream); import it once, quietly.
    warnings.filterwarnings("ignore", "websockets.legacy", DeprecationWarning)
    import alpaca.data.historical
    import alpaca.data.live  # noqa: F401


def read_source(path: Path) -> pd.DataFrame:
    """A bundled bar file as the downloads should return it: UTC timestamps, floats."""
    frame = pd.read_csv(path)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    frame["timestamp"] = frame["timestamp"].dt.as_unit("ns")
    for column in ("open", "high", "low", "close", "volume"):
        frame[column] = frame[column].astype("float64")
    return frame[["timestamp", "open", "high", "low", "close", "volume"]]


@pytest.fixture(scope="session")
def script() -> MarketScript:
    return MarketScript.from_files({"SPY": SPY_DAILY, "BTC/USD": BTC_MINUTE, "ETH/USD": ETH_MINUTE})
