"""Durable risk state: the mode latch, a change log, and the marks monitors resume from.

Memory holds the truth for reads (the mode is read on every order); when a path is given, every
change is also written to a small SQLite file in its own transaction, and a new store on the
same file starts from what it holds. So a HALTED or REDUCE_ONLY latch survives a restart. The
file is opened per write (writes are rare: mode and limit changes, one mark per session), so
no connection is held open between them.

Two latch scopes: ``"latch"`` (operator, drawdown breaker, kill switch; cleared only by
``RiskEngine.resume``) and ``"session"`` (the daily loss shutoff; ends with its session).

Symbol locks (per-symbol reduce-only, e.g. after a reconciliation break) are kept alongside,
persisted the same way, until ``RiskEngine.unlock_symbol``.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from quantrail.risk.modes import RiskMode

__all__ = ["Change", "Latch", "RiskStateStore", "SymbolLock"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS latch (scope TEXT PRIMARY KEY, mode TEXT NOT NULL, "
    "reason TEXT NOT NULL, actor TEXT NOT NULL, ts_ns INTEGER NOT NULL, session INTEGER)",
    "CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "ts_ns INTEGER NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, old TEXT NOT NULL, "
    "new TEXT NOT NULL, reason TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS marks (key TEXT PRIMARY KEY, value REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS symbol_locks (symbol TEXT PRIMARY KEY, reason TEXT NOT NULL, "
    "actor TEXT NOT NULL, ts_ns INTEGER NOT NULL)",
)


@dataclass(frozen=True, slots=True)
class Latch:
    """A mode held until cleared. ``session`` set: it ends when that session does."""

    mode: RiskMode
    reason: str
    actor: str
    ts_ns: int
    session: int | None = None


@dataclass(frozen=True, slots=True)
class SymbolLock:
    """A symbol held reduce-only until unlocked, with why, by whom and since when."""

    reason: str
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change log: a mode or limit change, who made it and when."""

    ts_ns: int
    kind: str  # "mode", "config" or "symbol_lock"
    actor: str
    old: str
    new: str
    reason: str


class RiskStateStore:
    """Latches, change log and marks; in memory only when ``path`` is None."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        self._latches: dict[str, Latch] = {}
        self._changes: list[Change] = []
        self._marks: dict[str, float] = {}
        self._locks: dict[str, SymbolLock] = {}
        if self.path is not None:
            self._load(self.path)

    def latch(self, scope: str) -> Latch | None:
        return self._latches.get(scope)

    def set_latch(self, scope: str, latch: Latch | None, change: Change) -> None:
        """Set (or clear, with None) the latch of ``scope`` and log ``change``, atomically."""
        if self.path is not None:
            with closing(sqlite3.connect(self.path)) as conn, conn:
                if latch is None:
                    conn.execute("DELETE FROM latch WHERE scope = ?", (scope,))
                else:
                    conn.execute(
                        "INSERT OR REPLACE INTO latch VALUES (?,?,?,?,?,?)",
                        (scope, latch.mode.value, latch.reason, latch.actor, latch.ts_ns,
                         latch.session),
                    )  # fmt: skip
                _insert_change(conn, change)
        if latch is None:
            self._latches.pop(scope, None)
        else:
            self._latches[scope] = latch
        self._changes.append(change)

    def symbol_locks(self) -> dict[str, SymbolLock]:
        """The locked symbols (``"*"`` for the whole account) and their locks."""
        return dict(self._locks)

    def symbol_lock(self, symbol: str) -> SymbolLock | None:
        return self._locks.get(symbol)

    def set_symbol_lock(self, symbol: str, lock: SymbolLock | None, change: Change) -> None:
        """Lock (or unlock, with None) ``symbol`` and log ``change``, atomically."""
        if self.path is not None:
            with closing(sqlite3.connect(self.path)) as conn, conn:
                if lock is None:
                    conn.execute("DELETE FROM symbol_locks WHERE symbol = ?", (symbol,))
                else:
                    conn.execute(
                        "INSERT OR REPLACE INTO symbol_locks VALUES (?,?,?,?)",
                        (symbol, lock.reason, lock.actor, lock.ts_ns),
                    )
                _insert_change(conn, change)
        if lock is None:
            self._locks.pop(symbol, None)
        else:
            self._locks[symbol] = lock
        self._changes.append(change)

    def record(self, change: Change) -> None:
        """Append ``change`` to the log."""
        if self.path is not None:
            with closing(sqlite3.connect(self.path)) as conn, conn:
                _insert_change(conn, change)
        self._changes.append(change)

    def changes(self) -> list[Change]:
        """The change log, oldest first (including those of earlier runs on the same file)."""
        return list(self._changes)

    def mark(self, key: str) -> float | None:
        return self._marks.get(key)

    def set_marks(self, marks: dict[str, float]) -> None:
        """Save monitor marks (the equity peak, the session and its starting equity)."""
        if self.path is not None:
            with closing(sqlite3.connect(self.path)) as conn, conn:
                conn.executemany("INSERT OR REPLACE INTO marks VALUES (?,?)", marks.items())
        self._marks.update(marks)

    def _load(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path)) as conn, conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            for scope, mode, reason, actor, ts_ns, session in conn.execute("SELECT * FROM latch"):
                self._latches[scope] = Latch(RiskMode(mode), reason, actor, ts_ns, session)
            rows = conn.execute(
                "SELECT ts_ns, kind, actor, old, new, reason FROM changes ORDER BY id"
            )
            self._changes = [Change(*row) for row in rows]
            self._marks = {key: value for key, value in conn.execute("SELECT * FROM marks")}
            rows = conn.execute("SELECT symbol, reason, actor, ts_ns FROM symbol_locks")
            self._locks = {sym: SymbolLock(reason, actor, ts) for sym, reason, actor, ts in rows}


def _insert_change(conn: sqlite3.Connection, change: Change) -> None:
    conn.execute(
        "INSERT INTO changes (ts_ns, kind, actor, old, new, reason) VALUES (?,?,?,?,?,?)",
        (change.ts_ns, change.kind, change.actor, change.old, change.new, change.reason),
    )
