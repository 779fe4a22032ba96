"""The run folder and the audit trail, produced by a real backtest on bundled data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from tests.conftest import DATA

REQUIRED_METRICS = {
    "total_return", "cagr", "annual_volatility", "sharpe", "sortino", "calmar", "max_drawdown",
    "max_drawdown_duration", "num_trades", "win_rate", "profit_factor", "expectancy", "exposure",
    "turnover", "var_95", "cvar_95",
}  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    config = {
        "data": [{"symbol": "SPY", "path": str(DATA / "equity_daily_SPY.csv"), "frequency": "1d"}],
        "strategy": {"name": "sma_cross", "params": {"fast": 10, "slow": 30, "quantity": 50}},
    }
    run_backtest(RunConfig.model_validate(config), out_dir=out)
    return out


def test_run_folder_has_every_artifact(run_dir: Path) -> None:
    for name in ("metrics.json", "trades.csv", "orders.csv", "fills.csv", "equity.csv",
                 "audit.sqlite", "report.html"):  # fmt: skip
        assert (run_dir / name).stat().st_size > 0, name
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics) >= REQUIRED_METRICS
    assert -1.0 <= metrics["max_drawdown"] <= 0.0


def test_trades_and_fills_carry_costs_and_model_prices(run_dir: Path) -> None:
    trades = pd.read_csv(run_dir / "trades.csv")
    fills = pd.read_csv(run_dir / "fills.csv")
    assert list(trades.columns[:12]) == [
        "trade_id", "symbol", "side", "quantity", "entry_time", "entry_price", "exit_time",
        "exit_price", "pnl", "costs", "return_pct", "exit_reason",
    ]  # fmt: skip
    assert {"reference_price", "commission", "spread_cost", "slippage_cost", "price_rule"} <= set(
        fills.columns
    )
    # Buys pay above the model price and sells receive below it: costs never flatter.
    buys, sells = fills[fills.side == "buy"], fills[fills.side == "sell"]
    assert (buys.price >= buys.reference_price).all()
    assert (sells.price <= sells.reference_price).all()
    # The sum of round-trip P&L equals the change in equity once everything is closed out.
    equity = pd.read_csv(run_dir / "equity.csv")
    assert trades.pnl.sum() == pytest.approx(equity.equity.iloc[-1] - 100_000, abs=0.01)


def test_audit_trail_links_each_fill_to_the_signal_that_caused_it(run_dir: Path) -> None:
    connection = sqlite3.connect(run_dir / "audit.sqlite")
    rows = connection.execute(
        "SELECT o.reason, o.signal_state, o.positions_before, f.reference_price, f.price,"
        " f.commission FROM fills f JOIN orders o USING (client_order_id) ORDER BY f.fill_id"
    ).fetchall()
    trades = connection.execute("SELECT COUNT(*), MIN(exit_reason) FROM trades").fetchone()
    connection.close()
    assert rows
    reason, state, before, _, _, _ = rows[0]
    assert reason == "fast crossed above slow"
    assert set(json.loads(state)) == {"fast", "slow", "close"}
    assert json.loads(before) == {}
    assert trades[0] == len(pd.read_csv(run_dir / "trades.csv"))
