"""What a finished backtest produced, computed from the engine's records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from quantrail.analytics import compute_metrics, periods_per_year, round_trips
from quantrail.core.errors import InvariantViolation
from quantrail.core.time import NANOS_PER_DAY
from quantrail.engine.backtest import BacktestEngine
from quantrail.engine.ledger import Adjustments, Ledger, build_ledger

__all__ = ["BacktestResult", "collect_result"]


@dataclass(frozen=True)
class BacktestResult:
    equity: pd.Series  # equity per distinct timestamp, UTC index
    ledger: Ledger
    fills: pd.DataFrame
    orders: pd.DataFrame
    trades: pd.DataFrame
    metrics: dict[str, Any]
    final_equity: float
    data_quality: list[dict[str, Any]]  # one validation report per data file (warnings only)
    risk_events: pd.DataFrame  # every denial, warning and mode change, in order
    risk_summary: dict[str, Any]  # final mode and how often each rule fired

    def data_warnings(self, relative_to: Path | None = None) -> list[str]:
        """One line per data-quality warning (file, rule, count, first line) and per cleaning
        step that removed rows."""
        lines = []
        for report in self.data_quality:
            source = Path(report["source"])
            if relative_to is not None and source.is_relative_to(relative_to):
                source = source.relative_to(relative_to)
            for issue in report["issues"]:
                first = issue["examples"][0].get("line") if issue["examples"] else None
                where = f" (first at line {first})" if first is not None else ""
                lines.append(f"{source}: {issue['rule']} x{issue['count']}{where}")
            for log in report.get("cleaning", []):
                lines.append(
                    f"{source}: cleaning step {log['step']} removed {log['rows_removed']} of "
                    f"{log['rows_before']} rows"
                )
        return lines


def _utc(ns: np.ndarray | list[int]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(ns, dtype="int64"), unit="ns", utc=True))


def fills_frame(engine: BacktestEngine) -> pd.DataFrame:
    rows = [
        {
            "fill_id": r.fill.fill_id,
            "client_order_id": r.fill.client_order_id,
            "ts": r.fill.ts,
            "event_ts": int(engine.stream.ts[r.event_index]),
            "symbol": r.fill.symbol,
            "side": r.fill.side.label,
            "quantity": r.fill.quantity,
            "price": r.fill.price,
            "reference_price": r.fill.reference_price,
            "price_rule": r.fill.price_rule,
            "liquidity": r.fill.liquidity,
            "commission": r.fill.commission,
            "spread_cost": r.fill.spread_cost,
            "slippage_cost": r.fill.slippage_cost,
            "order_reason": r.order_reason,
        }
        for r in engine.fills
    ]
    columns = [
        "fill_id", "client_order_id", "ts", "event_ts", "symbol", "side", "quantity", "price",
        "reference_price", "price_rule", "liquidity", "commission", "spread_cost",
        "slippage_cost", "order_reason",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame["ts"] = _utc(frame["ts"].to_numpy(dtype="int64"))
    frame["event_ts"] = _utc(frame["event_ts"].to_numpy(dtype="int64"))
    return frame


def orders_frame(engine: BacktestEngine) -> pd.DataFrame:
    rows = [
        {
            "client_order_id": o.client_order_id,
            "ts_created": o.ts_created,
            "symbol": o.symbol,
            "side": o.side.label,
            "order_type": o.order_type.value,
            "quantity": o.quantity,
            "limit_price": o.limit_price,
            "stop_price": o.stop_price,
            "time_in_force": o.time_in_force.value,
            "status": o.status.value,
            "filled_quantity": o.filled_quantity,
            "avg_fill_price": o.avg_fill_price,
            "commission": o.commission,
            "reason": o.reason,
        }
        for o in engine.oms.orders()
    ]
    frame = pd.DataFrame(rows, columns=[
        "client_order_id", "ts_created", "symbol", "side", "order_type", "quantity",
        "limit_price", "stop_price", "time_in_force", "status", "filled_quantity",
        "avg_fill_price", "commission", "reason",
    ])  # fmt: skip
    frame["ts_created"] = _utc(frame["ts_created"].to_numpy(dtype="int64"))
    # Fixed column types, so the same run always writes the same bytes whatever the values.
    for column in ("quantity", "limit_price", "stop_price", "filled_quantity", "avg_fill_price",
                   "commission"):  # fmt: skip
        frame[column] = frame[column].astype("float64")
    return frame


_UNDEFINED_WHEN_RUINED = (
    "sharpe", "sortino", "calmar", "annual_volatility", "var_95", "cvar_95", "skew", "kurtosis",
    "best_period",
)  # fmt: skip


def run_metrics(
    equity: pd.Series,
    *,
    periods_per_year: float,
    trades: pd.DataFrame,
    turnover_notional: float,
    exposure: float,
) -> dict[str, Any]:
    """Metrics of the run; a ruined account (equity <= 0) is reported as ruined, not averaged.

    Trade statistics come from the whole run; the other figures (years, periods, turnover,
    drawdown duration) from the history before the ruin. Return-based ratios are undefined
    once equity reaches zero, so they are None; ``total_return`` and
    ``end_equity`` are the real ones, ``cagr`` is -1, ``max_drawdown`` is -1 and
    ``worst_period`` is the return of the period in which the account was lost.
    """
    values = equity.to_numpy()
    ruined = np.flatnonzero(values <= 0)
    history = equity if not len(ruined) else equity.iloc[: max(int(ruined[0]), 1)]
    metrics: dict[str, Any] = compute_metrics(
        history,
        periods_per_year=periods_per_year,
        trades=trades,
        turnover_notional=turnover_notional,
        exposure=exposure,
    )
    metrics["periods_per_year"] = periods_per_year
    metrics["ruined"] = bool(len(ruined))
    metrics["ruin_time"] = None
    if len(ruined):
        k = int(ruined[0])
        metrics["ruin_time"] = equity.index[k].isoformat()
        metrics.update(dict.fromkeys(_UNDEFINED_WHEN_RUINED))
        metrics["total_return"] = float(values[-1] / values[0] - 1.0)
        metrics["end_equity"] = float(values[-1])
        metrics["cagr"] = -1.0
        metrics["max_drawdown"] = -1.0
        metrics["worst_period"] = float(values[k] / values[k - 1] - 1.0) if k else -1.0
    return metrics


def observed_periods_per_year(
    frequency_ns: int,
    asset_classes: list[str],
    sessions: npt.NDArray[np.int64],
    stamps: npt.NDArray[np.int64] | None = None,
) -> float:
    """Annualisation factor: sessions per year x the bars a session really has.

    Daily and longer bars use the calendar convention of ``analytics.periods_per_year``.
    Intraday bars count the distinct bar times per session in the data (median over sessions),
    so a file with extended hours is annualised by its own bar count, not by a 6.5-hour day.
    With several asset classes the one trading most sessions a year sets the count, except for
    daily and longer bars of mixed asset classes: their bars are stamped at different times of
    day (New York and UTC midnights), so the equity series has more points than any one
    calendar; it is annualised by the points it really has per year.
    """
    if frequency_ns >= NANOS_PER_DAY:
        if len(set(asset_classes)) > 1 and stamps is not None and len(stamps) > 1:
            years = (int(stamps[-1]) - int(stamps[0])) / NANOS_PER_DAY / 365.25
            if years > 0:
                return (len(stamps) - 1) / years
        return max(periods_per_year(frequency_ns, a) for a in asset_classes)
    sessions_per_year = max(periods_per_year(NANOS_PER_DAY, a) for a in asset_classes)
    _, per_session = np.unique(sessions, return_counts=True)
    return sessions_per_year * float(np.median(per_session))


def _adjustments_frame(engine: BacktestEngine) -> pd.DataFrame:
    """Splits and dividends as ``round_trips`` wants them, stamped at the event that applied
    them (comparable with fills' ``event_ts``)."""
    stream = engine.stream
    rows = [
        {
            "ts": pd.Timestamp(int(stream.ts[a.event_index]), unit="ns", tz="UTC"),
            "symbol": stream.symbols[a.symbol_index],
            "kind": a.action.kind,
            "value": a.action.value if a.action.kind == "split" else a.cash,
        }
        for a in engine.adjustments
    ]
    return pd.DataFrame(rows, columns=["ts", "symbol", "kind", "value"])


def _risk_events_frame(engine: BacktestEngine) -> pd.DataFrame:
    columns = ["ts", "client_order_id", "rule", "severity", "symbol", "reason", "detail"]
    frame = pd.DataFrame(engine.risk_link.rows, columns=columns)
    frame["ts"] = _utc(frame["ts"].to_numpy(dtype="int64"))
    return frame


def collect_result(
    engine: BacktestEngine,
    *,
    frequency_ns: int,
    asset_classes: list[str],
    data_quality: list[dict[str, Any]] | None = None,
) -> BacktestResult:
    stream = engine.stream
    fills = engine.fills
    done = engine.events_done  # a run stopped by the kill switch ends early
    ledger = build_ledger(
        starting_cash=engine.portfolio.starting_cash,
        symbol_index=stream.symbol_index[:done].astype(np.int64),
        close=stream.close[:done],
        n_symbols=len(stream.symbols),
        fill_event=np.array([f.event_index for f in fills], dtype=np.int64),
        fill_symbol=np.array([f.symbol_index for f in fills], dtype=np.int64),
        fill_signed_quantity=np.array([f.fill.signed_quantity for f in fills], dtype=np.float64),
        fill_price=np.array([f.fill.price for f in fills], dtype=np.float64),
        fill_commission=np.array([f.fill.commission for f in fills], dtype=np.float64),
        adjustments=Adjustments(
            event=np.array([a.event_index for a in engine.adjustments], dtype=np.int64),
            symbol=np.array([a.symbol_index for a in engine.adjustments], dtype=np.int64),
            quantity=np.array([a.shares for a in engine.adjustments], dtype=np.float64),
            cash=np.array([a.cash for a in engine.adjustments], dtype=np.float64),
        ),
    )
    final_equity = engine.portfolio.equity()
    if len(ledger.equity) and not np.isclose(ledger.equity[-1], final_equity, rtol=1e-9, atol=1e-6):
        raise InvariantViolation(
            f"ledger equity {ledger.equity[-1]!r} disagrees with the portfolio {final_equity!r}"
        )
    # One value per distinct timestamp: the state after the last event stamped at it.
    ts = stream.ts[:done]
    last_of_ts = np.r_[ts[1:] != ts[:-1], True] if len(ts) else np.zeros(0, dtype=bool)
    index = _utc(ts[last_of_ts])
    equity = pd.Series(ledger.equity[last_of_ts], index=index, name="equity")
    exposure = float((ledger.gross_exposure[last_of_ts] > 0).mean()) if len(index) else 0.0
    fills_df = fills_frame(engine)
    last_prices = dict(engine.portfolio.last_prices)
    trades = round_trips(
        fills_df, last_prices, index[-1] if len(index) else None, _adjustments_frame(engine)
    )
    metrics = run_metrics(
        equity,
        periods_per_year=observed_periods_per_year(
            frequency_ns, asset_classes, stream.session[:done][last_of_ts], ts[last_of_ts]
        ),
        trades=trades,
        turnover_notional=engine.portfolio.turnover,
        exposure=exposure,
    )
    return BacktestResult(
        equity=equity,
        ledger=ledger,
        fills=fills_df,
        orders=orders_frame(engine),
        trades=trades,
        metrics=metrics,
        final_equity=final_equity,
        data_quality=data_quality or [],
        risk_events=_risk_events_frame(engine),
        risk_summary={
            "mode": engine.risk.mode.value,
            "rule_counts": engine.risk.stats(),
            "stopped_early": engine.stopped_early,
        },
    )
