"""`quantrail audit DIR --trade N`: the story of one trade from the audit database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
from rich.console import Console

from quantrail.core.errors import DataError
from quantrail.store import open_audit

__all__ = ["print_trade_story"]


def _ts(ns: int) -> str:
    return pd.Timestamp(ns, unit="ns", tz="UTC").isoformat()


def print_trade_story(run_dir: Path, trade_id: int, console: Console | None = None) -> None:
    console = console or Console(soft_wrap=True)
    path = run_dir / "audit.sqlite"
    if not path.exists():
        raise DataError("no audit.sqlite here: is this a run folder?", source=str(run_dir))
    connection = open_audit(path)
    connection.row_factory = sqlite3.Row
    try:
        trade = connection.execute(
            "SELECT * FROM trades WHERE trade_id = ?", (trade_id,)
        ).fetchone()
        if trade is None:
            count = connection.execute("SELECT COUNT(*) FROM trades").fetchone()[0]
            raise DataError(
                f"trade {trade_id} not found; this run has {count} trade(s)", source=str(path)
            )
        console.print(
            f"[bold]Trade {trade['trade_id']}[/]: {trade['side']} {trade['quantity']:g} "
            f"{trade['symbol']}  entry {trade['entry_time']} @ {trade['entry_price']:.4f}  "
            f"exit {trade['exit_time']} @ {trade['exit_price']:.4f}"
        )
        console.print(
            f"  pnl {trade['pnl']:.2f} after costs {trade['costs']:.2f}; "
            f"exit rule: {trade['exit_reason']}"
        )
        for label, ids in (("entry", trade["entry_order_ids"]), ("exit", trade["exit_order_ids"])):
            for order_id in filter(None, ids.split(";")):
                _print_order(connection, console, label, order_id)
    finally:
        connection.close()


def _print_order(
    connection: sqlite3.Connection, console: Console, label: str, order_id: str
) -> None:
    order = connection.execute(
        "SELECT * FROM orders WHERE client_order_id = ?", (order_id,)
    ).fetchone()
    if order is None:
        console.print(f"  [red]{label} order {order_id} missing from the audit trail[/]")
        return
    console.print(
        f"\n  [bold]{label} order {order_id}[/] at {_ts(order['ts_created'])}: {order['side']} "
        f"{order['quantity']:g} {order['order_type']} ({order['time_in_force']})"
    )
    console.print(f"    rule that fired: {order['reason'] or '(none given)'}")
    console.print(f"    signal state:    {json.loads(order['signal_state'])}")
    console.print(
        f"    before: positions {json.loads(order['positions_before'])}, "
        f"cash {order['cash_before']:.2f}, equity {order['equity_before']:.2f}"
    )
    for event in connection.execute(
        "SELECT ts, kind, status, reason FROM order_events WHERE client_order_id = ? ORDER BY id",
        (order_id,),
    ):
        console.print(
            f"    {_ts(event['ts'])}  {event['kind']:<15} -> {event['status']}  {event['reason']}"
        )
    for fill in connection.execute(
        "SELECT * FROM fills WHERE client_order_id = ? ORDER BY ts, fill_id", (order_id,)
    ):
        console.print(
            f"    fill {fill['fill_id']} at {_ts(fill['ts'])} (bar known {_ts(fill['event_ts'])}): "
            f"{fill['quantity']:g} @ {fill['price']:.4f} "
            f"(model price {fill['reference_price']:.4f} by rule {fill['price_rule']}, "
            f"{fill['liquidity']}); spread {fill['spread_cost']:.2f}, slippage "
            f"{fill['slippage_cost']:.2f}, commission {fill['commission']:.2f}; "
            f"position after {fill['position_after']:g}"
        )
