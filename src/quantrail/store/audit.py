"""The audit trail of a run: every order with the signal state behind it, every fill with its
price assumptions and costs, every status change and risk denial, and the closed trades.

Rows are buffered and written in batches (``batch_size``) inside one transaction each, so the
hot path appends a tuple and never waits on the disk for a single row.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from quantrail.store.schema import SCHEMA, SCHEMA_VERSION

__all__ = ["AuditRecorder", "open_audit"]

_INSERTS = {
    "orders": "INSERT INTO orders VALUES (" + ",".join("?" * 17) + ")",
    "order_events": (
        "INSERT INTO order_events (client_order_id, ts, kind, status, reason) VALUES (?,?,?,?,?)"
    ),
    "fills": "INSERT INTO fills VALUES (" + ",".join("?" * 16) + ")",
    "risk_events": (
        "INSERT INTO risk_events (ts, client_order_id, rule, severity, symbol, reason, detail)"
        " VALUES (?,?,?,?,?,?,?)"
    ),
    "trades": "INSERT INTO trades VALUES (" + ",".join("?" * 14) + ")",
    "corporate_actions": (
        "INSERT INTO corporate_actions (ts, symbol, kind, value, ex_ts, position_before,"
        " position_after, cash_flow) VALUES (?,?,?,?,?,?,?,?)"
    ),
}


def _json_default(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


def to_json(value: Any) -> str:
    """Serialise signal state deterministically; NaN/inf become null."""
    cleaned = (
        {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in value.items()
        }
        if isinstance(value, dict)
        else value
    )
    return json.dumps(cleaned, sort_keys=True, default=_json_default, allow_nan=False)


def open_audit(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


class AuditRecorder:
    """Buffers audit rows and writes them to a SQLite file in batches."""

    def __init__(self, path: Path | None, batch_size: int = 5_000) -> None:
        self.path = path
        self.batch_size = batch_size
        self._buffers: dict[str, list[Sequence[object]]] = {table: [] for table in _INSERTS}
        self._pending = 0
        self._connection: sqlite3.Connection | None = None
        if path is not None:
            if path.exists():
                path.unlink()
            self._connection = open_audit(path)
            self._connection.executescript(SCHEMA)
            self._connection.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            self._connection.commit()

    def set_meta(self, key: str, value: str) -> None:
        if self._connection is not None:
            self._connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def add(self, table: str, row: Sequence[object]) -> None:
        self._buffers[table].append(row)
        self._pending += 1
        if self._pending >= self.batch_size:
            self.flush()

    def add_many(self, table: str, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self.add(table, row)

    def rows(self, table: str) -> list[Sequence[object]]:
        """Rows still buffered (for tests and in-memory runs without a file)."""
        return list(self._buffers[table])

    def flush(self) -> None:
        if self._connection is None:
            self._pending = 0
            return  # in-memory mode keeps the buffers for inspection
        with self._connection:
            for table, rows in self._buffers.items():
                if rows:
                    self._connection.executemany(_INSERTS[table], rows)
                    rows.clear()
        self._pending = 0

    def close(self) -> None:
        self.flush()
        if self._connection is not None:
            self._connection.close()
            self._connection = None
