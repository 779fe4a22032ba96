"""The trading emulation's state file: a restart that forgets nothing.

One JSON document holds the account (cash, positions, fills), every order record, the fill
model's working orders and where the replay stood. It is rewritten after every change through a
temporary file and ``os.replace``, so a crash mid-write leaves the previous state, never half of
one.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from quantrail.core.enums import OrderStatus
from quantrail.emulator.trading_book import OrderMatcher, TradingBook
from quantrail.emulator.trading_records import (
    FillRecord,
    OrderRecord,
    PositionRecord,
    core_from_json,
    core_to_json,
)

__all__ = [
    "STATE_VERSION",
    "dump_state",
    "load_state",
    "read_state",
    "resubmit",
    "write_state",
]

STATE_VERSION = 1


def dump_state(book: TradingBook, clock_ns: int, last_step_ns: int | None) -> dict[str, Any]:
    """Everything a new emulator needs to carry on where ``book`` stands."""
    return {
        "version": STATE_VERSION,
        "clock_ns": clock_ns,
        "last_step_ns": last_step_ns,
        "cash": book.cash,
        "initial_cash": book.initial_cash,
        "seq": book.seq,
        "orders": [asdict(r) for r in book.orders.values()],
        "fills": [asdict(f) for f in book.fills],
        "positions": [asdict(p) for p in book.positions.values()],
        "last_price": dict(book.last_price),
        "working": [core_to_json(o) for o in book.core.values()],
        "current": dict(book.current),
        "pending_replacement": dict(book.pending_replacement),
    }


def load_state(book: TradingBook, state: dict[str, Any]) -> None:
    """Fill an empty ``book`` from :func:`dump_state` output (the fill model is not touched).

    Raises
    ------
    ValueError
        When the state was written by an unknown version.
    """
    if state.get("version") != STATE_VERSION:
        raise ValueError(f"unsupported trading state version {state.get('version')!r}")
    book.cash = float(state["cash"])
    book.initial_cash = float(state["initial_cash"])
    book.seq = int(state["seq"])
    for item in state["orders"]:
        record = OrderRecord(**item)
        book.orders[record.id] = record
        book.by_client_id[record.client_order_id] = record.id
    book.fills = [FillRecord(**f) for f in state["fills"]]
    book.positions = {p["symbol"]: PositionRecord(**p) for p in state["positions"]}
    book.last_price = {str(k): float(v) for k, v in state["last_price"].items()}
    book.core = {o["key"]: core_from_json(o) for o in state["working"]}
    book.current = dict(state["current"])
    book.pending_replacement = dict(state["pending_replacement"])


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Write ``state`` to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def read_state(path: Path) -> dict[str, Any] | None:
    """The state at ``path``, or None when there is none yet."""
    if not path.exists():
        return None
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} does not hold a trading state")
    return loaded


def resubmit(book: TradingBook, matcher: OrderMatcher) -> None:
    """Hand the orders still working in a restored ``book`` to a new fill model.

    The model acknowledges each silently (the book publishes no second ``new``). A cancel or a
    replace that was in flight when the state was written is sent again.
    """
    for order in list(book.core.values()):
        pending = order.status
        filled = order.filled_quantity > 0
        order.status = OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.ACCEPTED
        matcher.submit(order)
        key = order.client_order_id
        if pending is OrderStatus.PENDING_CANCEL:
            book.request_cancel(book.orders[book.current[key]])
        elif pending is OrderStatus.PENDING_REPLACE and key in book.pending_replacement:
            new = book.orders[book.pending_replacement[key]]
            order.status = OrderStatus.PENDING_REPLACE
            matcher.modify(order, new.qty, new.limit_price, new.stop_price)
