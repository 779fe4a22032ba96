"""Every risk rule fires on real bundled data when its limit is tight, and lands in
risk_events.csv and the audit trail."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from quantrail.core import Bar, OrderType
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy, StrategyParams
from tests.conftest import DATA, NO_DEFAULT_LIMITS


class ProbeParams(StrategyParams):
    quantity: float = 100
    every: int = 20  # bars between entries
    limit_offset: float | None = None  # > 0: a buy limit this far (fraction) from the close
    also: str | None = None  # a second symbol to order on this symbol's bars
    nan_quantity: bool = False
    contradict: bool = False


class Probe(Strategy):
    """Buys every `every` bars and sells on the next round: simple, frequent decisions."""

    Params = ProbeParams

    def on_start(self) -> None:
        self.count = 0

    def on_bar(self, bar: Bar) -> None:
        p = self.params
        self.count += 1
        if self.count % p.every:
            return
        quantity = math.nan if p.nan_quantity else p.quantity
        if p.limit_offset is not None:
            price = round(bar.close * (1 - p.limit_offset), 2)
            self.buy(bar.symbol, quantity, order_type=OrderType.LIMIT, limit_price=price,
                     reason="probe limit")  # fmt: skip
        elif self.position(bar.symbol) > 0:
            self.sell(bar.symbol, self.position(bar.symbol), reason="probe exit")
        else:
            self.buy(bar.symbol, quantity, reason="probe entry")
        if p.contradict:
            self.sell(bar.symbol, quantity, reason="probe contradiction")
        if p.also is not None:
            self.buy(p.also, quantity, reason="probe other symbol")


SPY = {"symbol": "SPY", "path": str(DATA / "equity_daily_SPY.csv"), "frequency": "1d"}
GLD = {"symbol": "GLD", "path": str(DATA / "equity_daily_GLD.csv"), "frequency": "1d",
       "tags": {"sector": "gold"}}  # fmt: skip
GDX = {"symbol": "GDX", "path": str(DATA / "equity_daily_GDX.csv"), "frequency": "1d",
       "tags": {"sector": "gold"}}  # fmt: skip
SPY_MIN = {"symbol": "SPY", "path": str(DATA / "equity_minute_SPY_2011-03.csv"),
           "frequency": "1min"}  # fmt: skip
BTC = {"symbol": "BTC", "asset_class": "crypto", "frequency": "1min", "lot_size": 0.001,
       "path": str(DATA / "crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv"),
       "quotes_path": str(DATA / "quote_minute_BTCUSD_2018-04-04_2018-04-05.csv")}  # fmt: skip

CASES: list[tuple[str, list[dict[str, Any]], dict[str, Any], dict[str, Any]]] = [
    ("max_order_quantity", [SPY], {"max_order_quantity": 50}, {}),
    ("max_position_pct", [SPY], {"max_position_pct": 0.05}, {}),
    ("max_position_quantity", [SPY], {"max_position_quantity": 50}, {}),
    ("max_gross_exposure", [SPY], {"max_gross_exposure": 0.1}, {}),
    ("order_sanity", [SPY], {}, {"nan_quantity": True}),
    ("max_price_age", [GLD, GDX], {"max_price_age": "1h"}, {"also": "GDX"}),
    ("max_spread_bps", [BTC], {"entry": {"max_spread_bps": 0.001}}, {"quantity": 0.1}),
    ("min_bar_volume", [SPY], {"entry": {"min_bar_volume": 1e12}}, {}),
    ("market_closed", [SPY_MIN], {"entry": {"deny_when_market_closed": True}}, {"every": 7}),
    ("protective_stop", [SPY], {"protective_exits": {"require_stop_for_entries": True}}, {}),
    ("unprotected_position", [SPY], {}, {}),
    ("max_orders_per_day", [SPY], {"frequency": {"max_orders_per_day": 1}}, {"contradict": True}),
    (
        "max_price_deviation",
        [SPY],
        {"signal": {"max_price_deviation": 0.05}},
        {"limit_offset": 0.5},
    ),
    ("contradictory_intents", [SPY], {}, {"contradict": True}),
    ("daily_loss", [SPY], {"daily_loss": {"max_loss_pct": 0.002}}, {"quantity": 600}),
    ("drawdown", [SPY], {"drawdown": {"max_drawdown": 0.01}}, {"quantity": 600}),
    (
        "concentration:sector",
        [GLD, GDX],
        {"concentration": {"limits": {"sector": 0.5}}},
        {"also": "GDX"},
    ),
    (
        "correlated_exposure",
        [GLD, GDX],
        {"max_position_pct": 0.12, "correlation": {"threshold": 0.5}},
        {"also": "GDX", "quantity": 150},
    ),
]


@pytest.mark.parametrize(("rule", "data", "risk", "params"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_fires_on_bundled_data(
    tmp_path: Path, rule: str, data: list[dict[str, Any]], risk: dict[str, Any],
    params: dict[str, Any],
) -> None:  # fmt: skip
    config = RunConfig.model_validate(
        {
            "data": data,
            "strategy": {"name": "tests.integration.test_risk_rules_fire:Probe", "params": params},
            "execution": {"max_volume_share": None},
            "risk": {**NO_DEFAULT_LIMITS, **risk},
        }
    )
    result = run_backtest(config, out_dir=tmp_path)
    events = pd.read_csv(tmp_path / "risk_events.csv")
    assert rule in set(events["rule"]), f"{rule} did not fire; fired: {set(events['rule'])}"
    fired = events[events["rule"] == rule].iloc[0]
    assert isinstance(fired["reason"], str)
    assert fired["reason"]
    connection = sqlite3.connect(tmp_path / "audit.sqlite")
    audited = connection.execute(
        "SELECT COUNT(*) FROM risk_events WHERE rule = ?", (rule,)
    ).fetchone()[0]
    connection.close()
    assert audited == (events["rule"] == rule).sum()
    assert result.risk_summary["rule_counts"].get(rule, 0) >= 1


def test_report_shows_how_often_each_rule_fired(tmp_path: Path) -> None:
    config = RunConfig.model_validate(
        {
            "data": [SPY],
            "strategy": {"name": "tests.integration.test_risk_rules_fire:Probe"},
            "risk": {**NO_DEFAULT_LIMITS, "max_order_quantity": 50},
        }
    )
    result = run_backtest(config, out_dir=tmp_path)
    fired = result.risk_summary["rule_counts"]["max_order_quantity"]
    assert fired > 0
    html = (tmp_path / "report.html").read_text()
    assert "risk fired: max order quantity" in html
