"""Latency of the live path, stage by stage, as bounded samples for percentiles.

Uses ``time.perf_counter_ns``: a monotonic interval timer, not a wall-clock read, so it says
nothing about *when* anything happened and cannot leak into trading decisions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

__all__ = ["STAGES", "LatencyRecorder"]

# From a market event reaching the engine to the order being handed to the venue adapter.
STAGES = ("risk_monitors", "venue_match", "strategy", "risk_check", "event_to_submit")


class LatencyRecorder:
    """Keeps the last ``capacity`` samples (ns) per stage in ring buffers."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._samples: dict[str, np.ndarray] = {}
        self._count: dict[str, int] = {}
        self.event_started = 0  # perf_counter_ns when the current market event arrived

    @staticmethod
    def now() -> int:
        return time.perf_counter_ns()

    def record(self, stage: str, nanoseconds: int) -> None:
        buffer = self._samples.get(stage)
        if buffer is None:
            buffer = self._samples[stage] = np.zeros(self.capacity, dtype=np.int64)
            self._count[stage] = 0
        n = self._count[stage]
        buffer[n % self.capacity] = nanoseconds
        self._count[stage] = n + 1

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter_ns()
        try:
            yield
        finally:
            self.record(name, time.perf_counter_ns() - start)

    def samples(self, stage: str) -> np.ndarray:
        n = min(self._count.get(stage, 0), self.capacity)
        return self._samples[stage][:n] if n else np.zeros(0, dtype=np.int64)

    def summary(self) -> dict[str, dict[str, float]]:
        """Per stage: count, p50, p99 and max in microseconds."""
        out: dict[str, dict[str, float]] = {}
        for stage in self._samples:
            values = self.samples(stage) / 1_000.0
            out[stage] = {
                "count": float(self._count[stage]),
                "p50_us": float(np.percentile(values, 50)),
                "p99_us": float(np.percentile(values, 99)),
                "max_us": float(values.max()),
            }
        return out
