"""Clocks. The only module allowed to read the wall clock."""

from __future__ import annotations

import time

__all__ = ["LiveClock", "SimulatedClock"]


class SimulatedClock:
    """A clock advanced by the backtest loop to each event's timestamp.

    ``ts`` is public so the loop can set it without a method call per event; it never moves
    backwards (``advance_to`` enforces that for callers off the hot path).
    """

    __slots__ = ("ts",)

    def __init__(self, start_ns: int = 0) -> None:
        self.ts = start_ns

    def now_ns(self) -> int:
        return self.ts

    def advance_to(self, ts: int) -> None:
        if ts < self.ts:
            raise ValueError(f"simulated clock cannot move backwards: {ts} < {self.ts}")
        self.ts = ts


class LiveClock:
    """Wall-clock UTC time in nanoseconds."""

    __slots__ = ()

    def now_ns(self) -> int:
        return time.time_ns()
