"""Schema of a run's audit database (SQLite). Version it; later changes get migrations."""

from __future__ import annotations

__all__ = ["SCHEMA", "SCHEMA_VERSION"]

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    client_order_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    strategy_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    quantity REAL,  -- NULL when a strategy sent NaN: recorded as given, then denied
    order_type TEXT NOT NULL,
    limit_price REAL,
    stop_price REAL,
    time_in_force TEXT NOT NULL,
    ts_created INTEGER NOT NULL,
    reason TEXT NOT NULL,
    signal_state TEXT NOT NULL,
    positions_before TEXT NOT NULL,
    cash_before REAL NOT NULL,
    equity_before REAL NOT NULL,
    oco_group TEXT
);
CREATE TABLE IF NOT EXISTS order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fills (
    fill_id TEXT PRIMARY KEY,
    client_order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    quantity REAL NOT NULL,
    price REAL NOT NULL,
    reference_price REAL NOT NULL,
    price_rule TEXT NOT NULL,
    liquidity TEXT NOT NULL,
    commission REAL NOT NULL,
    spread_cost REAL NOT NULL,
    slippage_cost REAL NOT NULL,
    ts INTEGER NOT NULL,
    event_ts INTEGER NOT NULL,
    position_after REAL NOT NULL,
    cash_after REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS risk_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    client_order_id TEXT,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    symbol TEXT,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trades (
    trade_id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    quantity REAL NOT NULL,
    entry_time TEXT NOT NULL,
    entry_price REAL NOT NULL,
    exit_time TEXT NOT NULL,
    exit_price REAL NOT NULL,
    pnl REAL NOT NULL,
    costs REAL NOT NULL,
    entry_reason TEXT NOT NULL,
    exit_reason TEXT NOT NULL,
    entry_order_ids TEXT NOT NULL,
    exit_order_ids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS corporate_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    kind TEXT NOT NULL,
    value REAL NOT NULL,
    ex_ts INTEGER NOT NULL,
    position_before REAL NOT NULL,
    position_after REAL NOT NULL,
    cash_flow REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS fills_by_order ON fills (client_order_id);
CREATE INDEX IF NOT EXISTS events_by_order ON order_events (client_order_id);
"""
