"""Tuning of a :class:`~quantrail.data.feeds.ResilientFeed`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from quantrail.core.time import NANOS_PER_SECOND
from quantrail.data.feeds.backoff import BackoffPolicy

__all__ = ["PIPELINE_SETTINGS", "FeedSettings"]

PIPELINE_SETTINGS = ("reorder_window_s", "gap_tolerance_s", "sequential_ids", "dedupe_memory")
"""Settings that decide which events come out; recorded so that a replay uses the same."""


def _seconds_ns(name: str, value: float) -> int:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number of seconds >= 0, got {value}")
    return round(value * NANOS_PER_SECOND)


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """How a resilient feed reconnects, judges silence and orders trades.

    Attributes
    ----------
    backoff : BackoffPolicy
        Delays between reconnect attempts and between backfill retries.
    stale_after_s : float, mapping or None
        Silence (seconds) of an open instrument that means the connection is dead; a
        mapping sets it per symbol (``"*"`` = default); None disables the check. See
        :class:`~quantrail.data.feeds.staleness.StalenessMonitor`.
    reorder_window_s : float
        How long trades are held so that ones arriving out of order can be put back in
        order. Adds that much latency; 0 emits at once and drops every late trade.
    gap_tolerance_s : float
        Exchange time that may pass between the last trade before a drop and the first
        after it without a backfill. 0 backfills after every reconnect that lost time.
    sequential_ids : bool
        The venue numbers each symbol's trades 1, 2, 3...: consecutive ids then prove that
        nothing was missed, whatever the time between them.
    tick_s : float or None
        Period of the watchdog that checks staleness and emits trades and bars that became
        due while no message arrived. None disables it (replays, where message times drive
        everything); it is required when ``stale_after_s`` is set.
    connect_timeout_s, backfill_timeout_s : float
        Give up on a connect or one backfill request after this long (loop time).
    backfill_attempts : int
        Requests per gap before it is left unfilled (counted in ``backfill_failures``).
    dedupe_memory : int
        Recent trade keys remembered per symbol for duplicate detection.
    """

    backoff: BackoffPolicy = field(default_factory=BackoffPolicy)
    stale_after_s: float | Mapping[str, float | None] | None = 30.0
    reorder_window_s: float = 0.0
    gap_tolerance_s: float = 0.0
    sequential_ids: bool = False
    tick_s: float | None = 0.1
    connect_timeout_s: float = 10.0
    backfill_timeout_s: float = 10.0
    backfill_attempts: int = 3
    dedupe_memory: int = 10_000

    def __post_init__(self) -> None:
        _seconds_ns("reorder_window_s", self.reorder_window_s)
        _seconds_ns("gap_tolerance_s", self.gap_tolerance_s)
        if self.tick_s is not None and not (math.isfinite(self.tick_s) and self.tick_s > 0):
            raise ValueError(f"tick_s must be > 0 seconds or None, got {self.tick_s}")
        if self.tick_s is None and self.stale_after_s is not None:
            raise ValueError("stale_after_s needs the watchdog: set tick_s")
        for name in ("connect_timeout_s", "backfill_timeout_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be > 0 seconds, got {value}")
        if self.backfill_attempts < 1:
            raise ValueError(f"backfill_attempts must be >= 1, got {self.backfill_attempts}")

    @property
    def reorder_window_ns(self) -> int:
        """``reorder_window_s`` in nanoseconds."""
        return _seconds_ns("reorder_window_s", self.reorder_window_s)

    @property
    def gap_tolerance_ns(self) -> int:
        """``gap_tolerance_s`` in nanoseconds."""
        return _seconds_ns("gap_tolerance_s", self.gap_tolerance_s)

    def pipeline(self) -> dict[str, object]:
        """The :data:`PIPELINE_SETTINGS` values (written to recordings for replays)."""
        return {name: getattr(self, name) for name in PIPELINE_SETTINGS}
