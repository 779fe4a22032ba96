"""Splits and dividends reach a backtest on their ex-date, point in time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from quantrail.core import Bar, CorporateAction
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy
from tests.conftest import DATA, NO_DEFAULT_LIMITS

SEEN: list[CorporateAction] = []


class BuyAndHold(Strategy):
    """Buys 100 shares, and a week before the split rests a far sell limit priced pre-split."""

    def on_start(self) -> None:
        self.placed_limit = False

    def on_bar(self, bar: Bar) -> None:
        if self.position(bar.symbol) == 0 and not self.working_orders(bar.symbol):
            self.buy(bar.symbol, 100, reason="hold")
        week_before = pd.Timestamp("2014-06-02", tz="America/New_York").value
        if bar.ts_open >= week_before and not self.placed_limit:
            self.placed_limit = True
            self.sell(bar.symbol, 50, order_type="limit", limit_price=900.0, reason="far limit")

    def on_corporate_action(self, action: CorporateAction) -> None:
        SEEN.append(action)
        super().on_corporate_action(action)


def _actions() -> list[CorporateAction]:
    table = pd.read_csv(DATA / "actions_AAPL_2014.csv")
    out = []
    for row in table.itertuples():
        ex = pd.Timestamp(row.timestamp).tz_convert("UTC").value
        out.append(CorporateAction("AAPL", row.type, float(row.value), ex, ex))
    return out


def test_split_and_dividends_adjust_position_and_cash_on_the_ex_date(tmp_path: Path) -> None:
    SEEN.clear()
    config = RunConfig.model_validate(
        {
            "data": [
                {"symbol": "AAPL", "path": str(DATA / "equity_daily_AAPL_2014_raw.csv"),
                 "frequency": "1d"}
            ],
            "strategy": {"name": "tests.integration.test_corporate_actions_engine:BuyAndHold"},
            "execution": {"max_volume_share": None},
            "risk": NO_DEFAULT_LIMITS,
        }
    )  # fmt: skip
    actions = _actions()
    result = run_backtest(config, out_dir=tmp_path, actions=actions)
    assert [a.kind for a in SEEN] == [a.kind for a in actions]
    # 100 shares bought in January become 700 on 2014-06-09.
    assert result.trades.iloc[-1]["quantity"] == 700
    connection = sqlite3.connect(tmp_path / "audit.sqlite")
    rows = connection.execute(
        "SELECT kind, value, position_before, position_after, cash_flow FROM corporate_actions"
    ).fetchall()
    canceled = connection.execute(
        "SELECT reason FROM order_events WHERE kind = 'cancel'"
    ).fetchall()
    connection.close()
    split = next(r for r in rows if r[0] == "split")
    assert split[2:4] == (100.0, 700.0)
    dividends = [r for r in rows if r[0] == "dividend"]
    expected = sum(r[2] * r[1] for r in dividends)
    assert sum(r[4] for r in dividends) == pytest.approx(expected)
    assert [r[2] for r in dividends] == [100.0, 100.0, 700.0, 700.0]
    # The far limit priced in pre-split dollars was canceled by the split, not left working.
    assert ("corporate action: 7-for-1 split",) in canceled
    # Equity does not fall by 6/7 on the split day: the value is continuous.
    equity = result.equity
    split_day = equity.index.searchsorted(pd.Timestamp("2014-06-10", tz="UTC"))
    jump = equity.iloc[split_day] / equity.iloc[split_day - 1] - 1
    assert abs(jump) < 0.05
    # The ledger, rebuilt from fills, splits and dividends, agrees with the booked portfolio.
    assert equity.iloc[-1] == pytest.approx(result.final_equity)
    assert result.final_equity > 100_000
    # Trades see the split and the dividends too: their P&L sums to the change in equity.
    assert result.trades["pnl"].sum() == pytest.approx(result.final_equity - 100_000, abs=0.01)
