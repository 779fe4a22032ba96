"""Several symbols merged into one stream; bid/ask quotes priced into fills."""

from __future__ import annotations

import pandas as pd
import pytest

from quantrail.core import Bar
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy
from tests.conftest import DATA

ORDER_SEEN: list[tuple[int, str]] = []


class Watcher(Strategy):
    def on_bar(self, bar: Bar) -> None:
        ORDER_SEEN.append((bar.ts, bar.symbol))


def test_two_symbols_are_merged_in_time_order_and_trade_independently() -> None:
    ORDER_SEEN.clear()
    data = [
        {"symbol": "GLD", "path": str(DATA / "equity_daily_GLD.csv"), "frequency": "1d"},
        {"symbol": "GDX", "path": str(DATA / "equity_daily_GDX.csv"), "frequency": "1d"},
    ]
    watch = run_backtest(
        RunConfig.model_validate(
            {"data": data, "strategy": {"name": "tests.integration.test_multi_symbol:Watcher"}}
        )
    )
    stamps = [ts for ts, _ in ORDER_SEEN]
    assert stamps == sorted(stamps)
    assert len(ORDER_SEEN) == 1761 + 1664
    # On a shared timestamp, GLD (listed first) comes before GDX.
    first_shared = next(i for i in range(1, len(ORDER_SEEN)) if stamps[i] == stamps[i - 1])
    assert [s for _, s in ORDER_SEEN[first_shared - 1 : first_shared + 1]] == ["GLD", "GDX"]
    assert watch.metrics["num_trades"] == 0

    result = run_backtest(
        RunConfig.model_validate(
            {"data": data, "strategy": {"name": "sma_cross", "params": {"fast": 10, "slow": 40}}}
        )
    )
    symbols = set(result.trades["symbol"])
    assert symbols == {"GLD", "GDX"}
    # GDX starts on 2006-05-23: it cannot have traded before its data exists.
    gdx = result.fills[result.fills.symbol == "GDX"]
    assert gdx.ts.min() > pd.Timestamp("2006-05-23", tz="UTC")
    total_pnl = result.trades["pnl"].sum()
    assert total_pnl == pytest.approx(result.final_equity - 100_000, abs=0.01)


def test_bid_ask_quotes_set_the_spread_paid() -> None:
    base = {
        "symbol": "BTCUSD",
        "path": str(DATA / "crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv"),
        "frequency": "1min",
        "asset_class": "crypto",
        "lot_size": 0.0001,
    }
    execution = {
        "spread_bps": 0.0,
        "commission": {"per_share": 0, "minimum": 0},
        "slippage": {"fixed_bps": 0, "volatility_factor": 0, "impact_factor": 0},
        "max_volume_share": None,
    }
    strategy = {"name": "sma_cross", "params": {"fast": 5, "slow": 30, "quantity": 0.5}}
    quoted = {**base, "quotes_path": str(DATA / "quote_minute_BTCUSD_2018-04-04_2018-04-05.csv")}
    with_quotes = run_backtest(
        RunConfig.model_validate({"data": [quoted], "strategy": strategy, "execution": execution})
    )
    without = run_backtest(
        RunConfig.model_validate({"data": [base], "strategy": strategy, "execution": execution})
    )
    assert (without.fills.spread_cost == 0).all()
    assert len(with_quotes.fills) > 0
    assert (with_quotes.fills.spread_cost > 0).all()
    buys = with_quotes.fills[with_quotes.fills.side == "buy"]
    assert (buys.price > buys.reference_price).all()
