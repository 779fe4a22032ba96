"""Round-trip trades (flat to flat) built from a table of fills. Conventions: docs/metrics.md."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from quantrail.core.enums import Side

__all__ = ["FILL_COLUMNS", "TRADE_COLUMNS", "round_trips"]

FILL_COLUMNS = (
    "ts",
    "symbol",
    "side",
    "quantity",
    "price",
    "commission",
    "spread_cost",
    "slippage_cost",
    "order_reason",
    "client_order_id",
)
TRADE_COLUMNS = (
    "trade_id",
    "symbol",
    "side",
    "quantity",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "pnl",
    "costs",
    "return_pct",
    "exit_reason",
    "entry_reason",
    "entry_order_ids",
    "exit_order_ids",
)
OPEN_AT_END = "open_at_end"
# Quantities are floats (fractional crypto lots); a residue this small relative to the fill
# is rounding, not a position, and must not leave a phantom trade open.
_QTY_RTOL = 1e-9


@dataclass(slots=True)
class _Trade:
    seq: int
    symbol: str
    direction: int  # +1 long, -1 short
    entry_time: pd.Timestamp
    entry_reason: str
    entry_qty: float = 0.0
    entry_notional: float = 0.0
    exit_qty: float = 0.0
    exit_notional: float = 0.0
    max_abs_position: float = 0.0
    commission: float = 0.0
    costs: float = 0.0
    dividends: float = 0.0
    exit_time: pd.Timestamp | None = None
    exit_reason: str = ""
    entry_ids: list[str] = field(default_factory=list)
    exit_ids: list[str] = field(default_factory=list)

    def add_entry(
        self, qty: float, price: float, commission: float, costs: float, oid: str
    ) -> None:
        self.entry_qty += qty
        self.entry_notional += qty * price
        self.commission += commission
        self.costs += costs
        self.entry_ids.append(oid)

    def add_exit(
        self,
        qty: float,
        price: float,
        commission: float,
        costs: float,
        oid: str | None,
        ts: pd.Timestamp,
        reason: str,
    ) -> None:
        self.exit_qty += qty
        self.exit_notional += qty * price
        self.commission += commission
        self.costs += costs
        if oid is not None:
            self.exit_ids.append(oid)
        self.exit_time = ts
        self.exit_reason = reason

    def row(self) -> dict[str, Any]:
        entry_price = self.entry_notional / self.entry_qty
        exit_price = self.exit_notional / self.exit_qty
        # Flat to flat, every unit entered is exited, so the price P&L is the entered quantity
        # times the move between the two weighted-average prices.
        pnl = (
            self.direction * self.entry_qty * (exit_price - entry_price)
            - self.commission
            + self.dividends
        )
        return {
            "symbol": self.symbol,
            "side": "long" if self.direction > 0 else "short",
            "quantity": self.max_abs_position,
            "entry_time": self.entry_time,
            "entry_price": entry_price,
            "exit_time": self.exit_time,
            "exit_price": exit_price,
            "pnl": pnl,
            "costs": self.costs,
            "return_pct": pnl / self.entry_notional,
            "exit_reason": self.exit_reason,
            "entry_reason": self.entry_reason,
            "entry_order_ids": ";".join(dict.fromkeys(self.entry_ids)),
            "exit_order_ids": ";".join(dict.fromkeys(self.exit_ids)),
        }


def _split(trade: _Trade | None, ratio: float) -> None:
    # Shares multiply, notionals do not move: average prices divide by the ratio.
    if trade is not None:
        trade.entry_qty *= ratio
        trade.exit_qty *= ratio
        trade.max_abs_position *= ratio


def round_trips(  # noqa: C901 - one pass over fills and adjustments; splitting it hides the order
    fills: pd.DataFrame,
    last_prices: Mapping[str, float],
    last_ts: pd.Timestamp | str | None,
    adjustments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Build flat-to-flat round-trip trades from fills.

    Parameters
    ----------
    fills
        One row per fill with columns ``ts`` (UTC timestamp), ``symbol``, ``side``
        (``"buy"``/``"sell"``), ``quantity`` (> 0), ``price`` (> 0, spread and slippage
        included), ``commission``, ``spread_cost``, ``slippage_cost``, ``order_reason`` and
        ``client_order_id``. Rows with equal ``ts`` are applied in their given order.
    last_prices
        Mark price per symbol for positions still open after the last fill.
    last_ts
        Time at which open positions are marked (must not precede the last fill). May be
        ``None`` only when every position ends flat (e.g. a run with no bars).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TRADE_COLUMNS`, one row per trade, sorted by ``entry_time`` then
        ``symbol``, ``trade_id`` numbered from 1 in that order. A trade starts when a symbol's
        position leaves zero and ends when it returns to zero; a fill that crosses zero closes
        one trade and opens the opposite one, its costs split by quantity. ``quantity`` is the
        largest absolute position reached, prices are quantity-weighted averages, ``pnl`` is
        net of all commissions, ``costs`` sums commission, spread and slippage. A position
        still open is marked at ``last_prices`` with ``exit_reason == "open_at_end"``.
    adjustments
        Optional corporate actions that changed positions without a fill: columns ``ts``,
        ``symbol``, ``kind`` (``"split"`` or ``"dividend"``) and ``value`` (the split ratio, or
        the dividend cash received, negative when paid on a short), stamped when they were
        applied. Applied before fills booked at the same moment; fills are ordered by their
        ``event_ts`` (when the engine booked them) if the column is there, else by ``ts``.
        A split rescales the open trade's quantities (notional unchanged); a dividend is
        added to the ``pnl`` of the trade holding the shares.

    Raises
    ------
    ValueError
        On missing columns, an unknown side, non-positive or non-finite quantity or price,
        non-finite costs, a missing timestamp, a ``last_ts`` before the last fill, or an open
        position with no ``last_ts`` or no finite positive price in ``last_prices``.
    """
    frame = _normalised(fills)
    mark_ts = None if last_ts is None else _utc(last_ts)
    if mark_ts is not None and len(frame) and mark_ts < frame["ts"].max():
        raise ValueError(f"last_ts {mark_ts} is before the last fill at {frame['ts'].max()}")

    positions: dict[str, float] = {}
    open_trades: dict[str, _Trade] = {}
    done: list[_Trade] = []
    pending = _adjustment_rows(adjustments)

    def apply_adjustments(until: pd.Timestamp | None) -> None:
        while pending and (until is None or pending[-1][0] <= until):
            _, sym, kind, value = pending.pop()
            trade = open_trades.get(sym)
            if kind == "split":
                _split(trade, value)
                positions[sym] = positions.get(sym, 0.0) * value
            elif trade is not None:
                trade.dividends += value

    columns = [frame[name].tolist() for name in FILL_COLUMNS]
    booked_at = frame["booked_at"].tolist()
    for booked, ts, sym, side, qty, price, comm, spread, slip, reason, oid in zip(
        booked_at, *columns, strict=True
    ):
        apply_adjustments(booked)
        direction = 1 if side == "buy" else -1
        costs = comm + spread + slip
        trade = open_trades.get(sym)
        held = abs(positions.get(sym, 0.0))
        if trade is None or direction == trade.direction:
            if trade is None:
                trade = _Trade(len(done) + len(open_trades), sym, direction, ts, reason)
                open_trades[sym] = trade
            trade.add_entry(qty, price, comm, costs, oid)
            positions[sym] = direction * (held + qty)
            trade.max_abs_position = max(trade.max_abs_position, held + qty)
            continue
        remainder = qty - held
        tol = _QTY_RTOL * max(qty, held)
        if remainder < -tol:  # partial exit: the trade stays open, smaller
            trade.add_exit(qty, price, comm, costs, oid, ts, reason)
            positions[sym] = trade.direction * (held - qty)
            continue
        flip = remainder > tol
        share = held / qty if flip else 1.0
        trade.add_exit(held, price, comm * share, costs * share, oid, ts, reason)
        done.append(open_trades.pop(sym))
        positions[sym] = 0.0
        if flip:
            new = _Trade(len(done) + len(open_trades), sym, direction, ts, reason)
            new.add_entry(remainder, price, comm * (1 - share), costs * (1 - share), oid)
            new.max_abs_position = remainder
            open_trades[sym] = new
            positions[sym] = direction * remainder

    apply_adjustments(None)
    for sym, trade in open_trades.items():
        if mark_ts is None:
            raise ValueError(f"position in {sym!r} is open at the end but last_ts is None")
        mark = last_prices.get(sym)
        if mark is None or not (math.isfinite(mark) and mark > 0):
            raise ValueError(
                f"position in {sym!r} is open at the end but last_prices has no finite positive "
                f"price for it (got {mark!r})"
            )
        trade.add_exit(abs(positions[sym]), mark, 0.0, 0.0, None, mark_ts, OPEN_AT_END)
        done.append(trade)

    done.sort(key=lambda t: (t.entry_time, t.symbol, t.seq))
    rows = [{"trade_id": i, **t.row()} for i, t in enumerate(done, start=1)]
    return _typed(pd.DataFrame(rows, columns=list(TRADE_COLUMNS)))


def _adjustment_rows(
    adjustments: pd.DataFrame | None,
) -> list[tuple[pd.Timestamp, str, str, float]]:
    """Adjustments as (ts, symbol, kind, value), latest first so the next one is ``[-1]``."""
    if adjustments is None or adjustments.empty:
        return []
    rows = [
        (pd.Timestamp(ts).tz_convert("UTC"), str(sym), str(kind), float(value))
        for ts, sym, kind, value in zip(
            adjustments["ts"], adjustments["symbol"], adjustments["kind"], adjustments["value"],
            strict=True,
        )
    ]  # fmt: skip
    rows.sort(key=lambda row: row[0], reverse=True)
    return rows


def _normalised(fills: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(fills, pd.DataFrame):
        raise ValueError(f"fills must be a pandas DataFrame, got {type(fills).__name__}")
    missing = [c for c in FILL_COLUMNS if c not in fills.columns]
    if missing:
        raise ValueError(f"fills is missing columns {missing}; expected {list(FILL_COLUMNS)}")
    frame = fills.loc[:, list(FILL_COLUMNS)].reset_index(drop=True).copy()
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    # When the fills say when they were booked (the engine's event time), order by that: a fill
    # stamped at a bar's close and a split applied at the next bar's open share a timestamp,
    # but the fill was booked first.
    booked = fills["event_ts"] if "event_ts" in fills.columns else frame["ts"]
    frame["booked_at"] = pd.to_datetime(booked.reset_index(drop=True), utc=True)
    if frame["ts"].isna().any():
        raise ValueError("fills.ts has missing timestamps")
    frame["side"] = [_side(v) for v in frame["side"]]
    for name in ("quantity", "price", "commission", "spread_cost", "slippage_cost"):
        values = pd.to_numeric(frame[name], errors="raise").to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            raise ValueError(f"fills.{name} has NaN or infinite values")
        if name in ("quantity", "price") and (values <= 0).any():
            raise ValueError(f"fills.{name} must be > 0 (side carries the direction)")
        frame[name] = values
    for name in ("symbol", "order_reason", "client_order_id"):
        frame[name] = ["" if pd.isna(v) else str(v) for v in frame[name]]
    # Stable: fills stamped in the same nanosecond keep the order the venue reported them in.
    return frame.sort_values("booked_at", kind="stable", ignore_index=True)


def _side(value: object) -> str:
    if isinstance(value, Side):
        return value.label
    text = str(value).strip().lower()
    if text not in ("buy", "sell"):
        raise ValueError(f"fills.side must be 'buy' or 'sell', got {value!r}")
    return text


def _utc(value: pd.Timestamp | str) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        raise ValueError(f"last_ts must be a timestamp, got {value!r}")
    return ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["trade_id"] = frame["trade_id"].astype(np.int64)
    for name in ("entry_time", "exit_time"):
        frame[name] = pd.to_datetime(frame[name], utc=True).astype("datetime64[ns, UTC]")
    for name in ("quantity", "entry_price", "exit_price", "pnl", "costs", "return_pct"):
        frame[name] = frame[name].astype(np.float64)
    text_columns = ("symbol", "side", "exit_reason", "entry_reason")
    for name in (*text_columns, "entry_order_ids", "exit_order_ids"):
        frame[name] = frame[name].astype(str)
    return frame
