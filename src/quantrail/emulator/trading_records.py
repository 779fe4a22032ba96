"""What the trading emulation stores, and how Alpaca's v2 trading API writes it.

Records are plain dataclasses so the state file is ``dataclasses.asdict`` as JSON. Numbers go on
the wire as decimal strings and times as RFC-3339, as Alpaca sends them; alpaca-py parses both.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any

from quantrail.core.enums import OrderStatus, OrderType, Side, TimeInForce
from quantrail.core.orders import Order, OrderIntent
from quantrail.emulator._wire import decimal_str, rfc3339

__all__ = [
    "OPEN_STATUSES",
    "FillRecord",
    "OrderRecord",
    "PositionRecord",
    "account_wire",
    "alpaca_status",
    "asset_class",
    "core_from_json",
    "core_to_json",
    "num",
]

# Alpaca statuses of an order that may still trade; "open" in GET /orders?status=open.
OPEN_STATUSES = frozenset(
    {"new", "partially_filled", "accepted", "pending_new", "pending_cancel", "pending_replace"}
)
_ASSET_NS = uuid.UUID("6f1c2a52-6a4e-4df4-9a55-2a1d3c0d7e10")  # asset ids are stable per symbol


def num(value: float | None) -> str | None:
    """A number as Alpaca writes it: a plain decimal string (None stays None)."""
    if value is None or not math.isfinite(value):
        return None
    return decimal_str(float(value))


def _time(ns: int | None) -> str | None:
    return None if ns is None else rfc3339(ns)


def asset_class(symbol: str) -> str:
    """``crypto`` for pairs written with a slash, else ``us_equity``."""
    return "crypto" if "/" in symbol else "us_equity"


def alpaca_status(order: Order) -> str:
    """The Alpaca status of a live fill-model order."""
    status = order.status
    if status is OrderStatus.ACCEPTED:
        # The state table moves a replaced order back to ACCEPTED; Alpaca keeps the progress.
        return "partially_filled" if order.filled_quantity > 0 else "new"
    return {
        OrderStatus.NEW: "pending_new",
        OrderStatus.SUBMITTED: "pending_new",
        OrderStatus.DENIED: "rejected",
    }.get(status, status.value)


@dataclass
class OrderRecord:
    """One Alpaca order. After a replace, the old and the new record share the model's ``key``."""

    id: str
    client_order_id: str
    key: str
    symbol: str
    side: str
    type: str
    time_in_force: str
    qty: float
    limit_price: float | None
    stop_price: float | None
    status: str
    created_at: int
    updated_at: int
    submitted_at: int
    filled_qty: float = 0.0
    filled_avg_price: float | None = None
    filled_at: int | None = None
    canceled_at: int | None = None
    expired_at: int | None = None
    failed_at: int | None = None
    replaced_at: int | None = None
    replaced_by: str | None = None
    replaces: str | None = None

    @property
    def is_open(self) -> bool:
        """True while the order may still trade."""
        return self.status in OPEN_STATUSES

    def sync(self, order: Order, ts: int) -> None:
        """Copy the fill model's progress into this record."""
        self.qty = order.quantity
        self.limit_price = order.limit_price
        self.stop_price = order.stop_price
        self.time_in_force = order.time_in_force.value
        self.filled_qty = order.filled_quantity
        avg = order.avg_fill_price
        self.filled_avg_price = None if math.isnan(avg) else avg
        self.status = alpaca_status(order)
        self.updated_at = ts
        if self.status == "filled" and self.filled_at is None:
            self.filled_at = ts
        elif self.status == "canceled":
            self.canceled_at = ts
        elif self.status == "expired":
            self.expired_at = ts

    def wire(self) -> dict[str, Any]:
        """The order as ``GET /v2/orders/{id}`` answers it."""
        return {
            "id": self.id,
            "client_order_id": self.client_order_id,
            "created_at": _time(self.created_at),
            "updated_at": _time(self.updated_at),
            "submitted_at": _time(self.submitted_at),
            "filled_at": _time(self.filled_at),
            "expired_at": _time(self.expired_at),
            "canceled_at": _time(self.canceled_at),
            "failed_at": _time(self.failed_at),
            "replaced_at": _time(self.replaced_at),
            "replaced_by": self.replaced_by,
            "replaces": self.replaces,
            "asset_id": str(uuid.uuid5(_ASSET_NS, self.symbol)),
            "symbol": self.symbol,
            "asset_class": asset_class(self.symbol),
            "notional": None,
            "qty": num(self.qty),
            "filled_qty": num(self.filled_qty),
            "filled_avg_price": num(self.filled_avg_price),
            "order_class": "simple",
            "order_type": self.type,
            "type": self.type,
            "side": self.side,
            "time_in_force": self.time_in_force,
            "limit_price": num(self.limit_price),
            "stop_price": num(self.stop_price),
            "status": self.status,
            "extended_hours": False,
            "legs": None,
            "trail_percent": None,
            "trail_price": None,
            "hwm": None,
        }


@dataclass
class FillRecord:
    """One execution as booked: what the trade update and the state file carry."""

    execution_id: str
    order_id: str
    symbol: str
    side: str
    qty: float
    price: float
    commission: float
    ts: int


@dataclass
class PositionRecord:
    """Net quantity (negative: short) and average entry price of one symbol."""

    symbol: str
    qty: float = 0.0
    avg_entry_price: float = 0.0

    def apply(self, signed_qty: float, price: float) -> None:
        """Book a fill: average in when adding, keep the entry when reducing, reset on a flip."""
        new = self.qty + signed_qty
        if abs(new) < 1e-9:
            self.qty, self.avg_entry_price = 0.0, 0.0
        elif self.qty == 0 or (self.qty > 0) == (signed_qty > 0):
            self.avg_entry_price = (self.qty * self.avg_entry_price + signed_qty * price) / new
            self.qty = new
        elif (new > 0) != (self.qty > 0):
            self.qty, self.avg_entry_price = new, price
        else:
            self.qty = new

    def wire(self, price: float) -> dict[str, Any]:
        """The position as ``GET /v2/positions`` answers it, marked at ``price``."""
        crypto = asset_class(self.symbol) == "crypto"
        cost = self.qty * self.avg_entry_price
        value = self.qty * price
        pl = value - cost
        return {
            "asset_id": str(uuid.uuid5(_ASSET_NS, self.symbol)),
            # Alpaca names crypto positions without the slash (BTCUSD) though orders use BTC/USD.
            "symbol": self.symbol.replace("/", ""),
            "exchange": "CRYPTO" if crypto else "NASDAQ",
            "asset_class": asset_class(self.symbol),
            "asset_marginable": not crypto,
            "avg_entry_price": num(self.avg_entry_price),
            "qty": num(self.qty),
            "qty_available": num(self.qty),
            "side": "long" if self.qty > 0 else "short",
            "market_value": num(value),
            "cost_basis": num(cost),
            "unrealized_pl": num(pl),
            "unrealized_plpc": num(pl / abs(cost)) if cost else "0",
            "unrealized_intraday_pl": num(pl),
            "unrealized_intraday_plpc": num(pl / abs(cost)) if cost else "0",
            "current_price": num(price),
            "lastday_price": num(price),
            "change_today": "0",
        }


def account_wire(cash: float, initial_cash: float, reserved: float, values: list[float]) -> Any:
    """``GET /v2/account`` of a cash account (multiplier 1) holding positions worth ``values``."""
    long_value = sum(v for v in values if v > 0)
    short_value = sum(v for v in values if v < 0)
    equity = cash + long_value + short_value
    power = num(max(0.0, cash - reserved))
    flags = ("pattern_day_trader", "trading_blocked", "transfers_blocked", "account_blocked")
    return {
        "id": str(uuid.uuid5(_ASSET_NS, "account")),
        "account_number": "EMU000001",
        "status": "ACTIVE",
        "crypto_status": "ACTIVE",
        "currency": "USD",
        "cash": num(cash),
        **dict.fromkeys(("buying_power", "regt_buying_power", "daytrading_buying_power"), power),
        "non_marginable_buying_power": power,
        "portfolio_value": num(equity),
        "equity": num(equity),
        "last_equity": num(initial_cash),
        "long_market_value": num(long_value),
        "short_market_value": num(short_value),
        "multiplier": "1",
        **dict.fromkeys(flags, False),
        "trade_suspended_by_user": False,
        "shorting_enabled": True,
        "accrued_fees": "0",
        "daytrade_count": 0,
    }


def core_to_json(order: Order) -> dict[str, Any]:
    """The fill model's order as JSON, enough to hand it to a new fill model after a restart."""
    return {
        "key": order.client_order_id,
        "seq": order.seq,
        "symbol": order.symbol,
        "side": order.side.label,
        "quantity": order.quantity,
        "order_type": order.order_type.value,
        "limit_price": order.limit_price,
        "stop_price": order.stop_price,
        "time_in_force": order.time_in_force.value,
        "status": order.status.value,
        "filled_quantity": order.filled_quantity,
        "avg_fill_price": None if math.isnan(order.avg_fill_price) else order.avg_fill_price,
        "commission": order.commission,
        "triggered": order.triggered,
        "session": order.session,
        "ts_created": order.ts_created,
    }


def core_from_json(data: dict[str, Any]) -> Order:
    """Inverse of :func:`core_to_json`."""
    intent = OrderIntent(
        symbol=data["symbol"],
        side=Side.BUY if data["side"] == "buy" else Side.SELL,
        quantity=float(data["quantity"]),
        order_type=OrderType(data["order_type"]),
        limit_price=data["limit_price"],
        stop_price=data["stop_price"],
        time_in_force=TimeInForce(data["time_in_force"]),
    )
    order = Order(data["key"], int(data["seq"]), intent, "emulator", int(data["ts_created"]))
    order.status = OrderStatus(data["status"])
    order.filled_quantity = float(data["filled_quantity"])
    avg = data["avg_fill_price"]
    order.avg_fill_price = math.nan if avg is None else float(avg)
    order.commission = float(data["commission"])
    order.triggered = bool(data["triggered"])
    order.session = data["session"]
    return order
