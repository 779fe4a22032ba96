"""The state store's tables, as SQLAlchemy Core metadata (one schema for SQLite and PostgreSQL).

This module describes the schema at the newest migration. The migrations in
``quantrail/store/migrations/versions`` are frozen copies that build it step by step; a test
compares the two, so a change here without a migration fails the suite.

Types are chosen to mean the same on both back-ends: ``Double`` is an IEEE double (the engine's
prices and quantities are Python floats, so they round-trip exactly), ``BigInteger`` holds UTC
nanoseconds, and surrogate keys are ``BIGINT`` on PostgreSQL but ``INTEGER`` on SQLite, where
only an ``INTEGER PRIMARY KEY`` is the auto-incrementing rowid.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)

__all__ = [
    "ACCOUNT_SNAPSHOTS",
    "CASH_BOOK",
    "FILLS",
    "LATENCY_SAMPLES",
    "MARKERS",
    "METADATA",
    "ORDERS",
    "ORDER_EVENTS",
    "POSITIONS",
    "RISK_CHANGES",
    "RISK_LATCH",
    "RISK_MARKS",
    "STRATEGY_STATE",
]

# Named constraints, so a later migration can drop or alter them by a predictable name on
# both back-ends (SQLite batch mode needs names to recreate a table).
METADATA = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_ID = BigInteger().with_variant(Integer(), "sqlite")


def _surrogate() -> Column[int]:
    return Column("id", _ID, primary_key=True, autoincrement=True)


def _order_fk() -> Column[str]:
    return Column(
        "client_order_id", Text, ForeignKey("orders.client_order_id"), nullable=False, index=True
    )


ORDERS = Table(
    "orders",
    METADATA,
    Column("client_order_id", Text, primary_key=True),
    Column("venue_order_id", Text, nullable=True, unique=True),
    Column("strategy_id", Text, nullable=False, index=True),
    Column("seq", BigInteger, nullable=False),
    Column("symbol", Text, nullable=False),
    Column("side", Text, nullable=False),
    Column("quantity", Double, nullable=False),
    Column("order_type", Text, nullable=False),
    Column("limit_price", Double, nullable=True),
    Column("stop_price", Double, nullable=True),
    Column("time_in_force", Text, nullable=False),
    Column("oco_group", Text, nullable=True),
    Column("reason", Text, nullable=False),
    Column("intent_state", Text, nullable=False),
    Column("status", Text, nullable=False, index=True),
    Column("filled_quantity", Double, nullable=False),
    Column("avg_fill_price", Double, nullable=True),
    Column("commission", Double, nullable=False),
    Column("ts_created", BigInteger, nullable=False),
    Column("ts_last", BigInteger, nullable=False),
    CheckConstraint("side IN ('buy', 'sell')", name="side"),
    CheckConstraint("quantity > 0", name="quantity"),
)

ORDER_EVENTS = Table(
    "order_events",
    METADATA,
    _surrogate(),
    _order_fk(),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("source", Text, nullable=False),
    # NULL for the engine's own events (submit, cancel request); the venue's id otherwise.
    # UNIQUE makes a redelivered venue event impossible to store twice.
    Column("venue_event_id", Text, nullable=True, unique=True),
    Column("reason", Text, nullable=False),
)

FILLS = Table(
    "fills",
    METADATA,
    Column("seq", _ID, primary_key=True, autoincrement=True),
    Column("venue_execution_id", Text, nullable=False, unique=True),
    Column("fill_id", Text, nullable=False),
    _order_fk(),
    Column("symbol", Text, nullable=False),
    Column("side", Text, nullable=False),
    Column("quantity", Double, nullable=False),
    Column("price", Double, nullable=False),
    Column("reference_price", Double, nullable=False),
    Column("commission", Double, nullable=False),
    Column("spread_cost", Double, nullable=False),
    Column("slippage_cost", Double, nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("liquidity", Text, nullable=False),
    Column("price_rule", Text, nullable=False),
    Column("position_after", Double, nullable=False),
    Column("cash_after", Double, nullable=True),
    CheckConstraint("side IN ('buy', 'sell')", name="side"),
    CheckConstraint("quantity > 0", name="quantity"),
)

POSITIONS = Table(
    "positions",
    METADATA,
    Column("symbol", Text, primary_key=True),
    Column("quantity", Double, nullable=False),
    Column("average_price", Double, nullable=False),
    Column("realized_pnl", Double, nullable=False),
    Column("ts_last", BigInteger, nullable=False),
)

# One row (id = 1): the cash the engine believes it has, moved by every fill and reset by
# every account snapshot, so recovery needs no replay of the fill log.
CASH_BOOK = Table(
    "cash_book",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("cash", Double, nullable=False),
    Column("ts", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

ACCOUNT_SNAPSHOTS = Table(
    "account_snapshots",
    METADATA,
    _surrogate(),
    Column("ts", BigInteger, nullable=False, index=True),
    Column("cash", Double, nullable=False),
    Column("buying_power", Double, nullable=False),
    Column("equity", Double, nullable=False),
)

STRATEGY_STATE = Table(
    "strategy_state",
    METADATA,
    Column("strategy_id", Text, primary_key=True),
    Column("encoding", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("ts", BigInteger, nullable=False),
    CheckConstraint("encoding IN ('json', 'bytes')", name="encoding"),
)

MARKERS = Table(
    "markers",
    METADATA,
    Column("stream", Text, primary_key=True),
    Column("ts_ns", BigInteger, nullable=False),
)

LATENCY_SAMPLES = Table(
    "latency_samples",
    METADATA,
    _surrogate(),
    Column("stage", Text, nullable=False),
    Column("ns", BigInteger, nullable=False),
    Column("ts", BigInteger, nullable=True),
    CheckConstraint(
        "stage IN ('data_received', 'features', 'signal', 'risk', 'submit', 'ack', 'fill')",
        name="stage",
    ),
    CheckConstraint("ns >= 0", name="ns"),
)
# Percentiles read the newest samples of one stage: (stage, id) serves that scan.
Index("ix_latency_samples_stage_id", LATENCY_SAMPLES.c.stage, LATENCY_SAMPLES.c.id)

RISK_LATCH = Table(
    "risk_latch",
    METADATA,
    Column("scope", Text, primary_key=True),
    Column("mode", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("ts_ns", BigInteger, nullable=False),
    Column("session", BigInteger, nullable=True),
)

RISK_CHANGES = Table(
    "risk_changes",
    METADATA,
    _surrogate(),
    Column("ts_ns", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("old", Text, nullable=False),
    Column("new", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

RISK_MARKS = Table(
    "risk_marks",
    METADATA,
    Column("key", Text, primary_key=True),
    Column("value", Double, nullable=False),
)
