"""kill -9 while writing: after recovery each transaction is there whole or not at all.

A child process (``_crash_writer.py``) books batches of orders, one transaction each, and is
killed with SIGKILL: after a seeded random number of commits plus a seeded random delay (so
the kill lands anywhere, usually inside a transaction or its commit), or deterministically
while it holds a transaction open (``mid``). Each iteration restarts from the recovered
marker, as the engine would, on the same database.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from quantrail.core.enums import OrderStatus
from quantrail.store.state import StateStore
from quantrail.store.state.schema import FILLS, LATENCY_SAMPLES, ORDER_EVENTS, ORDERS
from tests.integration.state_store._crash_writer import BATCH, PRICE

WRITER = Path(__file__).with_name("_crash_writer.py")
PLAN = (("random", 11), ("mid", 12), ("random", 13), ("random", 14))
STARTING_CASH = 1_000_000.0


def _read_line(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line or time.monotonic() > deadline:
        process.kill()
        _, err = process.communicate()
        pytest.fail(f"writer stopped or stalled before it was killed:\n{err}")
    return line.strip()


def _run_and_kill(url: str, start: int, mode: str, seed: int) -> int:
    """Run the writer from ``start``, SIGKILL it, return the last commit it acknowledged."""
    rng = random.Random(seed)
    process = subprocess.Popen(
        [sys.executable, "-W", "error", str(WRITER), url, str(start), mode],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    acknowledged = start - 1
    try:
        assert _read_line(process, deadline) == "ready"
        wanted = "mid" if mode == "mid" else None
        commits = rng.randint(1, 8)
        while True:
            line = _read_line(process, deadline)
            if line == wanted:
                break
            acknowledged = int(line)
            if wanted is None and acknowledged >= start + commits - 1:
                time.sleep(rng.uniform(0.0, 0.02))  # land somewhere inside the next ones
                break
        os.kill(process.pid, signal.SIGKILL)
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == -signal.SIGKILL
    for line in out.split():
        if line.isdigit():  # commits printed between our last read and the kill
            acknowledged = max(acknowledged, int(line))
    return acknowledged


def _count(conn: object, table: object, *where: object) -> int:
    query = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
    return int(conn.execute(query).scalar_one())  # type: ignore[attr-defined]


def _assert_whole_transactions(store: StateStore, first: int, acknowledged: int) -> int:
    """Check the recovered store holds exactly transactions ``first..marker``; return marker."""
    state = store.load_state()
    marker = state.markers.get("bars", first - 1)
    # Every acknowledged commit survived; at most one more (committed, not yet printed).
    assert acknowledged <= marker <= acknowledged + 1
    booked = (marker - first + 1) * BATCH
    with store.read() as conn:
        assert _count(conn, ORDERS) == booked
        assert _count(conn, ORDERS, ORDERS.c.status == OrderStatus.FILLED.value) == booked
        assert _count(conn, ORDER_EVENTS) == 3 * booked
        assert _count(conn, FILLS) == booked
        assert _count(conn, LATENCY_SAMPLES) == marker - first + 1
        if conn.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert state.open_orders == ()  # no half-booked order: intent without its fill
    held = state.positions.get("SPY")
    assert (0.0 if held is None else held.quantity) == booked
    assert state.cash == STARTING_CASH - booked * PRICE
    expected_state = {"s": {"i": marker}} if marker >= first else {}
    assert state.strategy_state == expected_state
    return marker


def test_recovery_after_kill_minus_9_finds_whole_transactions(state_url: str) -> None:
    with StateStore.open(state_url) as store:
        store.snapshot_account(0, STARTING_CASH, STARTING_CASH, STARTING_CASH)
    first = next_start = 1
    for mode, seed in PLAN:
        acknowledged = _run_and_kill(state_url, next_start, mode, seed)
        with StateStore.open(state_url) as store:
            marker = _assert_whole_transactions(store, first, acknowledged)
        if mode == "mid":
            assert marker == next_start + 1  # the open transaction left nothing behind
        next_start = marker + 1  # resume after the marker, as a restarted engine does
    assert next_start > len(PLAN)  # every run committed something before it was killed
