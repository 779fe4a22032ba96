"""Initial state-store schema: orders, events, fills, positions, cash, account, strategy state,
markers, latency samples and risk state.

Frozen: this file must not change once released; later changes are new revisions. Constraint
names are spelled out (they follow ``schema.METADATA``'s naming convention) so later
revisions can refer to them on both back-ends.

Revision ID: r0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    "risk_marks",
    "risk_changes",
    "risk_latch",
    "latency_samples",
    "markers",
    "strategy_state",
    "account_snapshots",
    "cash_book",
    "positions",
    "fills",
    "order_events",
    "orders",
)


def _id(name: str = "id") -> sa.Column[int]:
    kind = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    return sa.Column(name, kind, primary_key=True, autoincrement=True)


def _ns(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _float(name: str, nullable: bool = False) -> sa.Column[float]:
    return sa.Column(name, sa.Double(), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _orders() -> None:
    op.create_table(
        "orders",
        _text("client_order_id"),
        _text("venue_order_id", nullable=True),
        _text("strategy_id"),
        _ns("seq"),
        _text("symbol"),
        _text("side"),
        _float("quantity"),
        _text("order_type"),
        _float("limit_price", nullable=True),
        _float("stop_price", nullable=True),
        _text("time_in_force"),
        _text("oco_group", nullable=True),
        _text("reason"),
        _text("intent_state"),
        _text("status"),
        _float("filled_quantity"),
        _float("avg_fill_price", nullable=True),
        _float("commission"),
        _ns("ts_created"),
        _ns("ts_last"),
        sa.PrimaryKeyConstraint("client_order_id", name="pk_orders"),
        sa.UniqueConstraint("venue_order_id", name="uq_orders_venue_order_id"),
        sa.CheckConstraint("side IN ('buy', 'sell')", name="ck_orders_side"),
        sa.CheckConstraint("quantity > 0", name="ck_orders_quantity"),
    )
    op.create_index("ix_orders_strategy_id", "orders", ["strategy_id"])
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_table(
        "order_events",
        _id(),
        _text("client_order_id"),
        _text("kind"),
        _text("status"),
        _ns("ts"),
        _text("source"),
        _text("venue_event_id", nullable=True),
        _text("reason"),
        sa.PrimaryKeyConstraint("id", name="pk_order_events"),
        sa.ForeignKeyConstraint(
            ["client_order_id"],
            ["orders.client_order_id"],
            name="fk_order_events_client_order_id_orders",
        ),
        sa.UniqueConstraint("venue_event_id", name="uq_order_events_venue_event_id"),
    )
    op.create_index("ix_order_events_client_order_id", "order_events", ["client_order_id"])


def _fills() -> None:
    op.create_table(
        "fills",
        _id("seq"),
        _text("venue_execution_id"),
        _text("fill_id"),
        _text("client_order_id"),
        _text("symbol"),
        _text("side"),
        _float("quantity"),
        _float("price"),
        _float("reference_price"),
        _float("commission"),
        _float("spread_cost"),
        _float("slippage_cost"),
        _ns("ts"),
        _text("liquidity"),
        _text("price_rule"),
        _float("position_after"),
        _float("cash_after", nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_fills"),
        sa.UniqueConstraint("venue_execution_id", name="uq_fills_venue_execution_id"),
        sa.ForeignKeyConstraint(
            ["client_order_id"], ["orders.client_order_id"], name="fk_fills_client_order_id_orders"
        ),
        sa.CheckConstraint("side IN ('buy', 'sell')", name="ck_fills_side"),
        sa.CheckConstraint("quantity > 0", name="ck_fills_quantity"),
    )
    op.create_index("ix_fills_client_order_id", "fills", ["client_order_id"])
    op.create_table(
        "positions",
        _text("symbol"),
        _float("quantity"),
        _float("average_price"),
        _float("realized_pnl"),
        _ns("ts_last"),
        sa.PrimaryKeyConstraint("symbol", name="pk_positions"),
    )
    op.create_table(
        "cash_book",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _float("cash"),
        _ns("ts"),
        sa.PrimaryKeyConstraint("id", name="pk_cash_book"),
        sa.CheckConstraint("id = 1", name="ck_cash_book_single_row"),
    )
    op.create_table(
        "account_snapshots",
        _id(),
        _ns("ts"),
        _float("cash"),
        _float("buying_power"),
        _float("equity"),
        sa.PrimaryKeyConstraint("id", name="pk_account_snapshots"),
    )
    op.create_index("ix_account_snapshots_ts", "account_snapshots", ["ts"])


def _engine_state() -> None:
    op.create_table(
        "strategy_state",
        _text("strategy_id"),
        _text("encoding"),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        _ns("ts"),
        sa.PrimaryKeyConstraint("strategy_id", name="pk_strategy_state"),
        sa.CheckConstraint("encoding IN ('json', 'bytes')", name="ck_strategy_state_encoding"),
    )
    op.create_table(
        "markers",
        _text("stream"),
        _ns("ts_ns"),
        sa.PrimaryKeyConstraint("stream", name="pk_markers"),
    )
    op.create_table(
        "latency_samples",
        _id(),
        _text("stage"),
        _ns("ns"),
        _ns("ts", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_latency_samples"),
        sa.CheckConstraint(
            "stage IN ('data_received', 'features', 'signal', 'risk', 'submit', 'ack', 'fill')",
            name="ck_latency_samples_stage",
        ),
        sa.CheckConstraint("ns >= 0", name="ck_latency_samples_ns"),
    )
    op.create_index("ix_latency_samples_stage_id", "latency_samples", ["stage", "id"])


def _risk() -> None:
    op.create_table(
        "risk_latch",
        _text("scope"),
        _text("mode"),
        _text("reason"),
        _text("actor"),
        _ns("ts_ns"),
        _ns("session", nullable=True),
        sa.PrimaryKeyConstraint("scope", name="pk_risk_latch"),
    )
    op.create_table(
        "risk_changes",
        _id(),
        _ns("ts_ns"),
        _text("kind"),
        _text("actor"),
        _text("old"),
        _text("new"),
        _text("reason"),
        sa.PrimaryKeyConstraint("id", name="pk_risk_changes"),
    )
    op.create_table(
        "risk_marks",
        _text("key"),
        _float("value"),
        sa.PrimaryKeyConstraint("key", name="pk_risk_marks"),
    )


def upgrade() -> None:
    _orders()
    _fills()
    _engine_state()
    _risk()


def downgrade() -> None:
    # Children before parents: the foreign keys of events and fills point at orders.
    for table in _TABLES:
        op.drop_table(table)
