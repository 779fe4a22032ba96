"""What goes wrong, and when: the fault plan and the per-emulator state that carries it out.

Every decision is deterministic given the plan: counters pick the k-th message or request, and
probabilities draw from one ``random.Random(seed)`` so a failing test replays exactly.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field

__all__ = ["FaultPlan", "FaultState", "HttpFault", "MessageFaults"]


@dataclass(frozen=True)
class FaultPlan:
    """Faults the emulator injects. The default plan injects none.

    Websocket counters count *data* messages (trades, quotes, bars) per connection, 1-based;
    control frames (connected, authenticated, subscription acks) are never faulted. HTTP
    counters count *data* requests (bars, trades, klines, aggTrades) over the emulator's
    lifetime, 1-based; metadata endpoints (exchangeInfo, time, ping) are never faulted.

    Parameters
    ----------
    drop_after : int or None
        Abort the websocket (no close frame) right after its N-th data message.
    drop_repeat : bool
        False: only the first connection to reach ``drop_after`` is dropped, so a client that
        reconnects gets a healthy stream. True: every connection is dropped at its N-th message.
    stall_after, stall_seconds : int or None, float
        After a connection's N-th data message, send nothing for ``stall_seconds`` while the
        socket stays open (pings are still answered). Messages produced meanwhile are queued
        and delivered afterwards. Once per connection.
    duplicate_every, duplicate_prob : int or None, float
        Send every k-th data message twice, and/or each message twice with this probability.
    reorder_every, reorder_prob : int or None, float
        Swap the k-th data message with the one after it (and/or each with this probability).
        A held message waits at most ``reorder_hold_seconds`` for a successor.
    http_429_on : tuple of int
        Data request numbers answered ``429 Too Many Requests`` with ``Retry-After``.
    retry_after : float
        Seconds sent in the ``Retry-After`` header of every 429.
    rate_limit : float or None
        Data requests allowed per second (sliding one-second window); the excess gets 429.
    http_500_on : tuple of int
        Data request numbers answered ``500 Internal Server Error``.
    reject_symbols : frozenset of str
        Symbols refused with a 4xx on REST and an error frame on subscribe.
    seed : int
        Seed of the random generator behind every probability.
    """

    drop_after: int | None = None
    drop_repeat: bool = False
    stall_after: int | None = None
    stall_seconds: float = 0.0
    duplicate_every: int | None = None
    duplicate_prob: float = 0.0
    reorder_every: int | None = None
    reorder_prob: float = 0.0
    reorder_hold_seconds: float = 0.25
    http_429_on: tuple[int, ...] = ()
    retry_after: float = 1.0
    rate_limit: float | None = None
    http_500_on: tuple[int, ...] = ()
    reject_symbols: frozenset[str] = field(default_factory=frozenset)
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("drop_after", "stall_after", "duplicate_every", "reorder_every"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"FaultPlan.{name} must be >= 1 or None, got {value}")
        for name in ("duplicate_prob", "reorder_prob"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FaultPlan.{name} must be within [0, 1], got {value}")
        if self.stall_seconds < 0 or self.retry_after < 0 or self.reorder_hold_seconds < 0:
            raise ValueError("FaultPlan durations must be >= 0")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError(f"FaultPlan.rate_limit must be > 0, got {self.rate_limit}")
        if any(k < 1 for k in (*self.http_429_on, *self.http_500_on)):
            raise ValueError("FaultPlan request numbers are 1-based")
        # Accept any iterable of symbols but store a frozenset so the plan stays hashable.
        object.__setattr__(self, "reject_symbols", frozenset(self.reject_symbols))

    def retry_after_header(self) -> str:
        """The ``Retry-After`` value: whole seconds when integral, else a decimal."""
        if float(self.retry_after).is_integer():
            return str(int(self.retry_after))
        return f"{self.retry_after:g}"


@dataclass(frozen=True)
class HttpFault:
    """An HTTP answer to send instead of the data: status and optional ``Retry-After``."""

    status: int
    retry_after: str | None = None


@dataclass(frozen=True)
class MessageFaults:
    """What to do with one outgoing data message."""

    duplicate: bool = False
    reorder: bool = False
    stall_before_next: bool = False
    drop_after_send: bool = False


class FaultState:
    """Mutable counters and the seeded generator behind one emulator's :class:`FaultPlan`."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.data_requests = 0
        self._dropped_once = False
        self._recent: deque[float] = deque()

    def http_fault(self, now: float) -> HttpFault | None:
        """Number the next data request and decide its fate; ``now`` is a monotonic time."""
        plan = self.plan
        self.data_requests += 1
        k = self.data_requests
        if k in plan.http_500_on:
            return HttpFault(500)
        if k in plan.http_429_on:
            return HttpFault(429, plan.retry_after_header())
        if plan.rate_limit is not None:
            window = 1.0
            while self._recent and now - self._recent[0] >= window:
                self._recent.popleft()
            if len(self._recent) >= plan.rate_limit:
                # Tell the client when the oldest request leaves the window, in whole seconds
                # as HTTP requires, never 0 so a well-behaved client actually waits.
                wait = max(1, math.ceil(window - (now - self._recent[0])))
                return HttpFault(429, str(wait))
            self._recent.append(now)
        return None

    def message_faults(self, n: int) -> MessageFaults:
        """Faults for a connection's ``n``-th (1-based) data message."""
        plan = self.plan
        duplicate = (plan.duplicate_every is not None and n % plan.duplicate_every == 0) or (
            plan.duplicate_prob > 0 and self.rng.random() < plan.duplicate_prob
        )
        reorder = (plan.reorder_every is not None and n % plan.reorder_every == 0) or (
            plan.reorder_prob > 0 and self.rng.random() < plan.reorder_prob
        )
        drop = False
        if plan.drop_after is not None and n == plan.drop_after:
            drop = plan.drop_repeat or not self._dropped_once
            self._dropped_once = self._dropped_once or drop
        stall = plan.stall_after is not None and n == plan.stall_after and plan.stall_seconds > 0
        return MessageFaults(duplicate, reorder, stall, drop)
