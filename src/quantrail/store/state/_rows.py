"""Mapping between domain objects and table rows, in one place for writes and reads."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row

from quantrail.core.enums import OrderStatus, OrderType, Side, TimeInForce
from quantrail.core.events import Fill
from quantrail.core.orders import Order, OrderIntent
from quantrail.store.audit import to_json
from quantrail.store.state.records import StoredFill, StoredOrder, StoredPosition, StrategyState

__all__ = [
    "decode_strategy_state",
    "encode_strategy_state",
    "fill_values",
    "nan_to_none",
    "none_to_nan",
    "order_values",
    "side_from_label",
    "stored_fill",
    "stored_order",
    "stored_position",
]


def nan_to_none(value: float | None) -> float | None:
    """NaN becomes NULL: SQLite does so silently, PostgreSQL would keep 'NaN'; make them agree."""
    return None if value is None or math.isnan(value) else value


def none_to_nan(value: float | None) -> float:
    return math.nan if value is None else value


def side_from_label(label: str) -> Side:
    return Side.BUY if label == "buy" else Side.SELL


def order_values(order: Order) -> dict[str, Any]:
    """The ``orders`` row of an order about to be submitted (status NEW, nothing filled).

    Terms come from the ``Order`` (what the venue will be sent, possibly adjusted since the
    strategy asked), the signal state from its intent.
    """
    return {
        "client_order_id": order.client_order_id,
        "venue_order_id": None,
        "strategy_id": order.strategy_id,
        "seq": order.seq,
        "symbol": order.symbol,
        "side": order.side.label,
        "quantity": order.quantity,
        "order_type": order.order_type.value,
        "limit_price": nan_to_none(order.limit_price),
        "stop_price": nan_to_none(order.stop_price),
        "time_in_force": order.time_in_force.value,
        "oco_group": order.oco_group,
        "reason": order.reason,
        "intent_state": to_json(order.intent.state),
        "status": OrderStatus.NEW.value,
        "filled_quantity": 0.0,
        "avg_fill_price": None,
        "commission": 0.0,
        "ts_created": order.ts_created,
        "ts_last": order.ts_created,
    }


def stored_order(row: Row[Any]) -> StoredOrder:
    m = row._mapping
    intent = OrderIntent(
        symbol=m["symbol"],
        side=side_from_label(m["side"]),
        quantity=m["quantity"],
        order_type=OrderType(m["order_type"]),
        limit_price=m["limit_price"],
        stop_price=m["stop_price"],
        time_in_force=TimeInForce(m["time_in_force"]),
        reason=m["reason"],
        state=json.loads(m["intent_state"]),
        oco_group=m["oco_group"],
    )
    return StoredOrder(
        client_order_id=m["client_order_id"],
        venue_order_id=m["venue_order_id"],
        strategy_id=m["strategy_id"],
        seq=m["seq"],
        intent=intent,
        status=OrderStatus(m["status"]),
        filled_quantity=m["filled_quantity"],
        avg_fill_price=none_to_nan(m["avg_fill_price"]),
        commission=m["commission"],
        ts_created=m["ts_created"],
        ts_last=m["ts_last"],
    )


def fill_values(fill: Fill, venue_execution_id: str) -> dict[str, Any]:
    return {
        "venue_execution_id": venue_execution_id,
        "fill_id": fill.fill_id,
        "client_order_id": fill.client_order_id,
        "symbol": fill.symbol,
        "side": fill.side.label,
        "quantity": fill.quantity,
        "price": fill.price,
        "reference_price": fill.reference_price,
        "commission": fill.commission,
        "spread_cost": fill.spread_cost,
        "slippage_cost": fill.slippage_cost,
        "ts": fill.ts,
        "liquidity": fill.liquidity,
        "price_rule": fill.price_rule,
    }


def stored_fill(row: Row[Any]) -> StoredFill:
    m = row._mapping
    fill = Fill(
        fill_id=m["fill_id"],
        client_order_id=m["client_order_id"],
        symbol=m["symbol"],
        side=side_from_label(m["side"]),
        quantity=m["quantity"],
        price=m["price"],
        reference_price=m["reference_price"],
        commission=m["commission"],
        spread_cost=m["spread_cost"],
        slippage_cost=m["slippage_cost"],
        ts=m["ts"],
        liquidity=m["liquidity"],
        price_rule=m["price_rule"],
    )
    return StoredFill(m["seq"], m["venue_execution_id"], fill, m["position_after"])


def stored_position(row: Row[Any]) -> StoredPosition:
    m = row._mapping
    return StoredPosition(
        m["symbol"], m["quantity"], m["average_price"], m["realized_pnl"], m["ts_last"]
    )


def encode_strategy_state(state: Mapping[str, Any] | bytes) -> tuple[str, bytes]:
    """Bytes are kept as given; a mapping becomes canonical JSON (NaN refused, not mangled)."""
    if isinstance(state, bytes | bytearray | memoryview):
        return "bytes", bytes(state)
    try:
        text = json.dumps(dict(state), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"strategy state must be JSON-serialisable (or bytes): {exc}; "
            "encode it yourself and save bytes"
        ) from exc
    return "json", text.encode()


def decode_strategy_state(encoding: str, payload: bytes) -> StrategyState:
    if encoding == "bytes":
        return bytes(payload)
    decoded: dict[str, Any] = json.loads(payload.decode())
    return decoded
