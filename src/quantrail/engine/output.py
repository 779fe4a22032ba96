"""The run folder: the files a finished backtest leaves behind."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from quantrail.analytics import write_report
from quantrail.engine.config import RunConfig
from quantrail.engine.results import BacktestResult
from quantrail.store.audit import AuditRecorder

__all__ = ["write_run_folder"]

_FLOAT_FORMAT = "%.10g"


def _iso(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].map(lambda t: t.isoformat() if pd.notna(t) else "")
    return out


def write_run_folder(
    out_dir: Path,
    config: RunConfig,
    result: BacktestResult,
    audit: AuditRecorder,
    config_text: str,
) -> None:
    metrics = dict(result.metrics)
    metrics["final_equity"] = round(result.final_equity, 6)
    metrics["risk_denials"] = int((result.risk_events["severity"] == "deny").sum())
    (out_dir / "risk_summary.json").write_text(
        json.dumps(result.risk_summary, indent=2, sort_keys=True) + "\n"
    )
    _iso(result.risk_events, ["ts"]).to_csv(out_dir / "risk_events.csv", index=False)
    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, indent=2, sort_keys=True, allow_nan=False) + "\n"
    )
    (out_dir / "data_quality.json").write_text(
        json.dumps(result.data_quality, indent=2, sort_keys=True) + "\n"
    )
    trades = _iso(result.trades, ["entry_time", "exit_time"])
    trades.to_csv(out_dir / "trades.csv", index=False, float_format=_FLOAT_FORMAT)
    _iso(result.fills, ["ts", "event_ts"]).to_csv(
        out_dir / "fills.csv", index=False, float_format=_FLOAT_FORMAT
    )
    _iso(result.orders, ["ts_created"]).to_csv(
        out_dir / "orders.csv", index=False, float_format=_FLOAT_FORMAT
    )
    equity = pd.DataFrame(
        {"timestamp": [t.isoformat() for t in result.equity.index], "equity": result.equity.values}
    )
    equity.to_csv(out_dir / "equity.csv", index=False, float_format="%.6f")
    columns = (
        "trade_id", "symbol", "side", "quantity", "entry_time", "entry_price", "exit_time",
        "exit_price", "pnl", "costs", "entry_reason", "exit_reason", "entry_order_ids",
        "exit_order_ids",
    )  # fmt: skip
    audit.add_many(
        "trades", (tuple(row[c] for c in columns) for row in trades.to_dict(orient="records"))
    )
    audit.flush()
    title = f"quantrail backtest: {config.name} ({config.strategy.name})"
    equity_shown = result.equity
    if metrics.get("ruined"):
        # Returns and drawdowns are undefined once equity reaches zero: chart the history before.
        title += f" - RUINED at {metrics['ruin_time']}"
        equity_shown = equity_shown[equity_shown.index < pd.Timestamp(metrics["ruin_time"])]
    write_report(
        out_dir / "report.html",
        title=title,
        equity=equity_shown,
        trades=result.trades,
        # The report's table also says how often each risk rule fired.
        metrics={
            **metrics,
            **{
                f"risk fired: {rule}": n
                for rule, n in sorted(result.risk_summary["rule_counts"].items())
            },
        },
        config_text=config_text,
    )
