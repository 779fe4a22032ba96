"""What ``quantrail status`` shows: positions, working orders, markers, latency, risk mode.

A plain dict of JSON-able values, so the CLI can print it as a table or as JSON and an HTTP
endpoint can return it unchanged. Read in one snapshot; safe while the engine is writing.
"""

from __future__ import annotations

import math
from typing import Any

from quantrail.store import migrations
from quantrail.store.state import _reads as reads
from quantrail.store.state.records import LatencyStage
from quantrail.store.state.store import StateStore

__all__ = ["percentile", "status_report"]


def percentile(sorted_values: list[int], q: float) -> int | None:
    """Nearest-rank percentile (``q`` in 0..100) of ascending values; None when empty.

    Nearest rank returns a sample that was actually observed, which is what a latency
    report should show (an interpolated p99 can be a latency that never happened).
    """
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def status_report(store: StateStore, window: int = 10_000) -> dict[str, Any]:
    """Summarise the store for an operator.

    Parameters
    ----------
    store : StateStore
        The engine's state store (any process may read it).
    window : int
        Latency percentiles use the newest ``window`` samples of each stage.

    Returns
    -------
    dict
        ``positions`` (symbol → quantity, average price, realized P&L), ``working_orders``
        (open orders, NEW included), ``markers`` (stream → ts ns), ``latency`` (stage →
        samples, p50 and p99 in ns), ``risk`` (mode and latches), ``cash`` and ``account``.
    """
    with store.read() as conn:
        positions = reads.positions(conn)
        orders = reads.open_orders(conn)
        risk = reads.risk_state(conn)
        account = reads.account(conn)
        counts = reads.latency_counts(conn)
        latency: dict[str, dict[str, int | None]] = {}
        for stage in LatencyStage:
            samples = sorted(reads.latency_samples(conn, stage, window))
            latency[stage.value] = {
                "count": counts.get(stage.value, 0),
                "window": len(samples),
                "p50_ns": percentile(samples, 50),
                "p99_ns": percentile(samples, 99),
            }
        report: dict[str, Any] = {
            "url": store.url,
            "revision": migrations.current_revision(conn),
            "positions": {
                p.symbol: {
                    "quantity": p.quantity,
                    "average_price": p.average_price,
                    "realized_pnl": p.realized_pnl,
                    "ts_last": p.ts_last,
                }
                for p in positions.values()
            },
            "working_orders": [
                {
                    "client_order_id": o.client_order_id,
                    "venue_order_id": o.venue_order_id,
                    "strategy_id": o.strategy_id,
                    "symbol": o.intent.symbol,
                    "side": o.intent.side.label,
                    "quantity": o.intent.quantity,
                    "filled_quantity": o.filled_quantity,
                    "order_type": o.intent.order_type.value,
                    "limit_price": o.intent.limit_price,
                    "stop_price": o.intent.stop_price,
                    "status": o.status.value,
                    "ts_last": o.ts_last,
                }
                for o in orders
            ],
            "markers": reads.markers(conn),
            "latency": latency,
            "risk": {
                "mode": risk.mode.value,
                "latches": {
                    scope: {
                        "mode": lt.mode.value,
                        "reason": lt.reason,
                        "actor": lt.actor,
                        "ts_ns": lt.ts_ns,
                    }
                    for scope, lt in risk.latches.items()
                },
            },
            "cash": reads.cash(conn),
            "account": None
            if account is None
            else {
                "ts": account.ts,
                "cash": account.cash,
                "buying_power": account.buying_power,
                "equity": account.equity,
            },
        }
    return report
