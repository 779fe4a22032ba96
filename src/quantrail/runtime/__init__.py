"""Clocks, and later the bus and the cache."""

from quantrail.runtime.clock import LiveClock, SimulatedClock
from quantrail.runtime.latency import STAGES, LatencyRecorder

__all__ = ["STAGES", "LatencyRecorder", "LiveClock", "SimulatedClock"]
