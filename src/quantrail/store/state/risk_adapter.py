"""Risk state (latches, change log, monitor marks) kept in the durable state store.

``RiskEngine`` takes a ``RiskStateStore``; this subclass keeps the same contract (memory
answers reads, every change is written in its own transaction first) but writes to the state
store's ``risk_*`` tables instead of a separate SQLite file, so a live deployment has one
database, and on PostgreSQL the latch is shared by every host that opens it.

It overrides every method rather than reusing the parent's file-backed code, so it depends
only on ``RiskStateStore``'s public interface, not on its private fields.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert

from quantrail.risk.state import Change, Latch, RiskStateStore
from quantrail.store.state import _reads as reads
from quantrail.store.state._sql import upsert
from quantrail.store.state.schema import RISK_CHANGES, RISK_LATCH, RISK_MARKS
from quantrail.store.state.store import StateStore

__all__ = ["DurableRiskState"]


class DurableRiskState(RiskStateStore):
    """A ``RiskStateStore`` whose latches, change log and marks live in a ``StateStore``.

    Examples
    --------
    >>> risk = RiskEngine(config, DurableRiskState(state_store))  # doctest: +SKIP
    """

    def __init__(self, store: StateStore) -> None:
        super().__init__(None)  # the parent's own storage stays empty and unused
        self._store = store
        with store.read() as conn:
            loaded = reads.risk_state(conn)
        self._durable_latches = dict(loaded.latches)
        self._durable_changes = list(loaded.changes)
        self._durable_marks = dict(loaded.marks)

    @property
    def store(self) -> StateStore:
        return self._store

    def latch(self, scope: str) -> Latch | None:
        return self._durable_latches.get(scope)

    def set_latch(self, scope: str, latch: Latch | None, change: Change) -> None:
        """Set (or clear, with None) the latch of ``scope`` and log ``change``, atomically."""
        with self._store.transaction() as conn:
            if latch is None:
                conn.execute(delete(RISK_LATCH).where(RISK_LATCH.c.scope == scope))
            else:
                values = {
                    "scope": scope, "mode": latch.mode.value, "reason": latch.reason,
                    "actor": latch.actor, "ts_ns": latch.ts_ns, "session": latch.session,
                }  # fmt: skip
                upsert(conn, RISK_LATCH, values, ["scope"])
            _insert_change(conn, change)
        # Memory follows the database only after the commit, so a failed write changes nothing.
        if latch is None:
            self._durable_latches.pop(scope, None)
        else:
            self._durable_latches[scope] = latch
        self._durable_changes.append(change)

    def record(self, change: Change) -> None:
        with self._store.transaction() as conn:
            _insert_change(conn, change)
        self._durable_changes.append(change)

    def changes(self) -> list[Change]:
        return list(self._durable_changes)

    def mark(self, key: str) -> float | None:
        return self._durable_marks.get(key)

    def set_marks(self, marks: dict[str, float]) -> None:
        with self._store.transaction() as conn:
            for key, value in marks.items():
                upsert(conn, RISK_MARKS, {"key": key, "value": value}, ["key"])
        self._durable_marks.update(marks)


def _insert_change(conn: Connection, change: Change) -> None:
    conn.execute(
        insert(RISK_CHANGES).values(
            ts_ns=change.ts_ns, kind=change.kind, actor=change.actor, old=change.old,
            new=change.new, reason=change.reason,
        )
    )  # fmt: skip
