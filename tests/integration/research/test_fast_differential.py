"""The fast path against the event engine: the same fills, trades, equity and metrics.

Every built-in strategy, with its default parameters and two other sets, on bundled data. The
fast path is exact by construction (the same indicator arithmetic, fill rules and costs), so
the comparison is equality, not a tolerance: prices, quantities, times, order ids and reasons,
equity per bar, and the metrics to 1e-12.
"""

from __future__ import annotations

from typing import Any

import pytest

from quantrail.engine.run import run_backtest
from quantrail.research import fast_backtest
from tests.unit.research.helpers import assert_same_run, data_entry, run_config

SPY = data_entry("equity_daily_SPY.csv")
GLD = data_entry("equity_daily_GLD.csv")
AAPL = data_entry("equity_daily_AAPL.csv")
SPY_MINUTE = data_entry("equity_minute_SPY_2011-03.csv", "1min")

CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("sma_cross", {}, SPY),
    ("sma_cross", {"fast": 5, "slow": 30, "quantity": 50}, GLD),
    ("sma_cross", {"fast": 10, "slow": 60}, SPY_MINUTE),
    ("sma_cross", {"fast": 3, "slow": 7, "quantity": 20}, SPY_MINUTE),
    ("rsi_reversion", {}, SPY),
    ("rsi_reversion", {"period": 7, "entry_below": 35, "exit_mean_period": 10}, GLD),
    ("rsi_reversion", {"min_volume_ratio": 0, "volume_period": 5, "quantity": 300}, AAPL),
    ("zscore_reversion", {}, GLD),
    ("zscore_reversion", {"lookback": 10, "entry_z": 1.5, "exit_z": 0.2, "cooldown": 0}, SPY),
    ("zscore_reversion", {"allow_short": False, "quantity": 1000, "cooldown": 2}, AAPL),
    ("breakout", {}, SPY),
    ("breakout", {"channel": 10, "exit_channel": 5, "atr_period": 7, "atr_multiple": 1.0}, GLD),
    ("breakout", {"channel": 55, "risk_pct": 0.05, "max_quantity": 150}, AAPL),
    ("breakout", {"channel": 30, "exit_channel": 15, "atr_multiple": 3.0}, SPY_MINUTE),
    # Stops 60 ATRs below the entry are often below zero: the risk hook denies them.
    ("breakout", {"atr_multiple": 60.0, "risk_pct": 0.5}, SPY),
]


@pytest.mark.parametrize(
    ("strategy", "params", "data"),
    CASES,
    ids=[f"{s}-{d['symbol']}-{d['frequency']}-{i}" for i, (s, _, d) in enumerate(CASES)],
)
def test_fast_path_reproduces_the_event_engine(
    strategy: str, params: dict[str, Any], data: dict[str, Any]
) -> None:
    config = run_config(strategy, params, data=[data])
    assert_same_run(fast_backtest(config), run_backtest(config))


@pytest.mark.parametrize(
    "execution",
    [
        {"fill": "next_close"},
        {
            "commission": {"per_share": 0.01, "minimum": 2.0, "maximum": 3.0, "percent": 0.05,
                           "fixed": 0.5},
            "spread_bps": 7.5,
            "slippage": {"fixed_bps": 0.0, "volatility_factor": 0.5, "impact_factor": 2.0,
                         "volatility_window": 5},
            "cash": 25_000,
        },
        {"commission": {"per_share": 0, "minimum": 0}, "spread_bps": 0,
         "slippage": {"fixed_bps": 0, "volatility_factor": 0, "impact_factor": 0}},
    ],
    ids=["next_close", "every_cost", "free"],
)  # fmt: skip
@pytest.mark.parametrize("strategy", ["sma_cross", "breakout", "zscore_reversion"])
def test_every_cost_setting_is_reproduced(strategy: str, execution: dict[str, Any]) -> None:
    config = run_config(strategy, {}, execution=execution)
    assert_same_run(fast_backtest(config), run_backtest(config))


def test_bid_ask_quotes_set_the_spread_like_the_engine() -> None:
    btc = data_entry(
        "crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv",
        "1min",
        symbol="BTCUSD",
        timezone=None,
        asset_class="crypto",
        lot_size=0.001,
        quotes_path=str(data_entry("quote_minute_BTCUSD_2018-04-04_2018-04-05.csv")["path"]),
    )
    config = run_config("sma_cross", {"fast": 5, "slow": 20, "quantity": 0.5}, data=[btc])
    fast = fast_backtest(config)
    assert_same_run(fast, run_backtest(config))
    assert (fast.fills.spread_cost > 0).all()


def test_a_ruined_account_is_reported_like_the_engine() -> None:
    # 3,000 SPY shares on 30,000 of cash: leverage nothing stops with risk switched off.
    config = run_config("sma_cross", {"quantity": 3000}, execution={"cash": 30_000})
    fast = fast_backtest(config)
    assert fast.metrics["ruined"]
    assert_same_run(fast, run_backtest(config))
