"""Clocks, and later the bus and the cache."""

from quantrail.runtime.clock import LiveClock, SimulatedClock

__all__ = ["LiveClock", "SimulatedClock"]
