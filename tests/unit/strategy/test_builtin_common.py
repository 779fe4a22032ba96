"""What every built-in strategy shares, and the helpers their own test modules use.

The helpers write small hand-made daily bar files (crypto, so sessions are UTC days and the
gap rule never fires), run them with every cost set to zero so prices can be checked by hand,
and read back the signal state each order carried from the audit database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from quantrail.core.errors import ConfigError
from quantrail.engine.config import RunConfig
from quantrail.engine.results import BacktestResult
from quantrail.engine.run import build_strategy, run_backtest
from quantrail.strategy import resolve_strategy
from quantrail.strategy.builtin.breakout import Breakout
from quantrail.strategy.builtin.rsi_reversion import RsiReversion
from quantrail.strategy.builtin.zscore_reversion import ZScoreReversion
from tests.conftest import NO_DEFAULT_LIMITS

START = pd.Timestamp("2024-01-01T00:00:00+00:00")
DAY = pd.Timedelta(days=1)

ZERO_COSTS: dict[str, Any] = {
    "cash": 100_000,
    "fill": "next_open",
    "commission": {"per_share": 0, "minimum": 0},
    "spread_bps": 0,
    "slippage": {"fixed_bps": 0, "volatility_factor": 0, "impact_factor": 0},
    "latency": "0s",
    "max_volume_share": None,
}

# (open, high, low, close, volume)
Row = tuple[float, float, float, float, float]


def known_at(i: int) -> pd.Timestamp:
    """When bar ``i`` becomes known (its close): files are stamped at the bar start."""
    return START + (i + 1) * DAY


def opens_at(i: int) -> pd.Timestamp:
    """When bar ``i`` opens: the timestamp of a fill at its open."""
    return START + i * DAY


def write_bars(path: Path, rows: Sequence[Row]) -> Path:
    lines = ["timestamp,open,high,low,close,volume"]
    for i, (o, h, low, c, v) in enumerate(rows):
        assert low <= min(o, c) <= max(o, c) <= h, f"bar {i} is not a valid OHLC bar"
        lines.append(f"{opens_at(i).isoformat()},{o},{h},{low},{c},{v}")
    path.write_text("\n".join(lines) + "\n")
    return path


def closes_to_rows(closes: Sequence[float], volume: float = 1_000.0) -> list[Row]:
    """Bars that open at the previous close and range 0.5 beyond open and close."""
    rows: list[Row] = []
    prev = closes[0]
    for c in closes:
        rows.append((prev, max(prev, c) + 0.5, min(prev, c) - 0.5, c, volume))
        prev = c
    return rows


def crafted_config(
    path: Path, strategy: str, params: dict[str, Any], **execution: Any
) -> dict[str, Any]:
    return {
        "name": f"{strategy}_crafted",
        "data": [{"symbol": "X", "path": str(path), "frequency": "1d", "asset_class": "crypto"}],
        "strategy": {"name": strategy, "params": params},
        "execution": {**ZERO_COSTS, **execution},
        "risk": NO_DEFAULT_LIMITS,
    }


def run_crafted(
    tmp_path: Path, strategy: str, params: dict[str, Any], rows: Sequence[Row], **execution: Any
) -> tuple[BacktestResult, list[dict[str, Any]]]:
    """Run ``strategy`` on ``rows``; return the result and the audited orders, in order."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    bars = write_bars(tmp_path / "bars.csv", rows)
    out = tmp_path / "run"
    cfg = crafted_config(bars, strategy, params, **execution)
    result = run_backtest(RunConfig.model_validate(cfg), out_dir=out)
    return result, audited_orders(out / "audit.sqlite")


def audited_orders(db: Path) -> list[dict[str, Any]]:
    connection = sqlite3.connect(db)
    try:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM orders ORDER BY seq").fetchall()
    finally:
        connection.close()
    orders = []
    for row in rows:
        record = dict(row)
        record["signal_state"] = json.loads(record["signal_state"])
        orders.append(record)
    return orders


def order_events(db: Path) -> list[tuple[str, int, str]]:
    connection = sqlite3.connect(db)
    try:
        return [
            (oid, ts, kind)
            for oid, ts, kind in connection.execute(
                "SELECT client_order_id, ts, kind FROM order_events ORDER BY id"
            )
        ]
    finally:
        connection.close()


def fills_of(result: BacktestResult, client_order_id: str) -> pd.DataFrame:
    return result.fills[result.fills["client_order_id"] == client_order_id].reset_index(drop=True)


# -- tests shared by all three built-ins ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("rsi_reversion", RsiReversion),
        ("zscore_reversion", ZScoreReversion),
        ("breakout", Breakout),
    ],
)
def test_registry_resolves_the_builtin_names(name: str, cls: type) -> None:
    assert resolve_strategy(name) is cls


@pytest.mark.parametrize("name", ["rsi_reversion", "zscore_reversion", "breakout"])
def test_defaults_validate_and_the_docstring_states_the_hypothesis(name: str) -> None:
    cls = resolve_strategy(name)
    cls.Params()  # every default is valid
    doc = cls.__doc__ or ""
    assert doc.startswith("Hypothesis:")
    for part in ("Universe:", "Signal:", "Entry:", "Exit:", "Sizing:", "Constraints:"):
        assert part in doc, f"{name} docstring lacks {part}"


@pytest.mark.parametrize("name", ["rsi_reversion", "zscore_reversion", "breakout"])
def test_runs_on_the_bundled_spy_data_and_trades(name: str, spy_config: dict[str, Any]) -> None:
    cfg = {**spy_config, "strategy": {"name": name, "params": {}}, "risk": NO_DEFAULT_LIMITS}
    result = run_backtest(RunConfig.model_validate(cfg))
    assert len(result.trades) >= 1
    assert result.metrics["num_trades"] >= 1
    assert (result.orders["reason"] != "").all(), "every order must say why it was sent"
    assert (result.orders["status"] != "denied").all()
    assert result.final_equity > 0


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("rsi_reversion", {"entry_below": 150}, r"strategy\.params\.entry_below"),
        ("rsi_reversion", {"entry_below": 0}, r"strategy\.params\.entry_below"),
        ("rsi_reversion", {"period": 1}, r"strategy\.params\.period"),
        ("rsi_reversion", {"exit_mean_period": 0}, r"strategy\.params\.exit_mean_period"),
        ("rsi_reversion", {"volume_period": 0}, r"strategy\.params\.volume_period"),
        ("rsi_reversion", {"min_volume_ratio": -1}, r"strategy\.params\.min_volume_ratio"),
        ("rsi_reversion", {"quantity": 0}, r"strategy\.params\.quantity"),
        ("rsi_reversion", {"period": "fourteen"}, r"strategy\.params\.period"),
        ("rsi_reversion", {"entry_above": 70}, r"strategy\.params\.entry_above"),
        ("zscore_reversion", {"exit_z": 2.0, "entry_z": 2.0}, r"exit_z \(2\.0\) must be less"),
        ("zscore_reversion", {"exit_z": 3.0}, r"strategy\.params: .*exit_z"),
        ("zscore_reversion", {"entry_z": 0}, r"strategy\.params\.entry_z"),
        ("zscore_reversion", {"exit_z": -0.1}, r"strategy\.params\.exit_z"),
        ("zscore_reversion", {"lookback": 2}, r"strategy\.params\.lookback"),
        ("zscore_reversion", {"lookback": 4, "entry_z": 1.8}, r"entry_z \(1\.8\) can never"),
        ("zscore_reversion", {"cooldown": -1}, r"strategy\.params\.cooldown"),
        ("zscore_reversion", {"allow_short": "maybe"}, r"strategy\.params\.allow_short"),
        ("breakout", {"channel": 0}, r"strategy\.params\.channel"),
        ("breakout", {"exit_channel": 0}, r"strategy\.params\.exit_channel"),
        ("breakout", {"atr_period": 0}, r"strategy\.params\.atr_period"),
        ("breakout", {"atr_multiple": 0}, r"strategy\.params\.atr_multiple"),
        ("breakout", {"risk_pct": 0}, r"strategy\.params\.risk_pct"),
        ("breakout", {"risk_pct": 1.5}, r"strategy\.params\.risk_pct"),
        ("breakout", {"max_quantity": 0.5}, r"strategy\.params\.max_quantity"),
    ],
)
def test_an_invalid_param_is_a_config_error_naming_the_field(
    tmp_path: Path, name: str, params: dict[str, Any], match: str
) -> None:
    cfg = crafted_config(tmp_path / "unused.csv", name, params)
    with pytest.raises(ConfigError, match=match):
        build_strategy(RunConfig.model_validate(cfg))
