"""What goes wrong on the trading side, and the counters that show it happened.

Numbering is deterministic so a failing test replays exactly: HTTP faults pick the k-th trading
REST request (1-based, over the emulator's life), order faults the k-th order submission, and
stream faults the k-th update on a connection or the k-th fill update overall.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["TradingFaultPlan", "TradingFaultState", "TradingStats"]


@dataclass(frozen=True)
class TradingFaultPlan:
    """Faults of the trading emulation. The default plan injects none.

    Parameters
    ----------
    drop_updates_after : int or None
        Abort a trade-updates socket (no close frame) right after its N-th update message.
    drop_repeat : bool
        False: only the first connection to reach ``drop_updates_after`` is dropped, so a
        reconnecting client gets a healthy stream. True: every connection is.
    update_delay : float
        Seconds every trade update waits before it is sent (order between updates is kept).
    reorder_acks : bool
        Hold each order's ``new`` update until the order's next update (a fill, a cancel) has
        been sent, so the client sees the fill before the acknowledgement. A held ``new`` with
        no successor goes alone after ``reorder_hold_seconds``.
    duplicate_fills_every : int or None
        Send every k-th fill or partial-fill update twice (same ``execution_id``).
    reject_symbols : frozenset of str
        Orders for these symbols are accepted, then rejected (a ``rejected`` update).
    reject_orders : tuple of int
        Order submissions (1-based, duplicates refused with 422 not counted) to reject that way.
    http_429_on, retry_after : tuple of int, float
        Trading REST request numbers answered 429 with ``Retry-After: retry_after``.
    http_5xx_on, http_5xx_status : tuple of int, int
        Trading REST request numbers answered ``http_5xx_status`` (500 by default).
    submit_timeout_on : tuple of int
        Order submissions that succeed (the order is stored and works) but whose answer is lost.
    submit_timeout_delay : float or None
        None: the connection is closed without an answer. A number: the answer is sent only
        after that many seconds, i.e. after the client's own timeout.
    close_bars, close_volume : int, float
        On the last ``close_bars`` bars of each session the fill model sees at most
        ``close_volume`` of a bar's volume, so its participation cap (the fill simulator's
        ``max_volume_share``) leaves orders partly filled near the close.
    """

    drop_updates_after: int | None = None
    drop_repeat: bool = False
    update_delay: float = 0.0
    reorder_acks: bool = False
    reorder_hold_seconds: float = 1.0
    duplicate_fills_every: int | None = None
    reject_symbols: frozenset[str] = field(default_factory=frozenset)
    reject_orders: tuple[int, ...] = ()
    http_429_on: tuple[int, ...] = ()
    retry_after: float = 1.0
    http_5xx_on: tuple[int, ...] = ()
    http_5xx_status: int = 500
    submit_timeout_on: tuple[int, ...] = ()
    submit_timeout_delay: float | None = None
    close_bars: int = 0
    close_volume: float = 0.0

    def __post_init__(self) -> None:
        for name in ("drop_updates_after", "duplicate_fills_every"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"TradingFaultPlan.{name} must be >= 1 or None, got {value}")
        numbers = (*self.reject_orders, *self.http_429_on, *self.http_5xx_on)
        if any(k < 1 for k in (*numbers, *self.submit_timeout_on)):
            raise ValueError("TradingFaultPlan request and order numbers are 1-based")
        if not 500 <= self.http_5xx_status <= 599:
            raise ValueError(f"http_5xx_status must be 5xx, got {self.http_5xx_status}")
        delays = (self.update_delay, self.reorder_hold_seconds, self.retry_after)
        if min(delays) < 0 or (self.submit_timeout_delay or 0.0) < 0:
            raise ValueError("TradingFaultPlan durations must be >= 0")
        if self.close_bars < 0 or self.close_volume < 0:
            raise ValueError("close_bars and close_volume must be >= 0")
        # Any iterable of symbols is accepted; a frozenset keeps the plan hashable.
        object.__setattr__(self, "reject_symbols", frozenset(self.reject_symbols))

    def retry_after_header(self) -> str:
        """The ``Retry-After`` value: whole seconds when integral, else a decimal."""
        if float(self.retry_after).is_integer():
            return str(int(self.retry_after))
        return f"{self.retry_after:g}"


@dataclass
class TradingStats:
    """What the trading emulation did so far; every injected fault has a counter.

    Attributes
    ----------
    requests : int
        Trading REST requests (the numbers HTTP faults refer to).
    responses_429, responses_5xx : int
        Faulted answers sent.
    orders_submitted : int
        Orders stored (the numbers order faults refer to).
    orders_refused : int
        Submissions answered 4xx (bad parameters, unknown symbol, duplicate client order id,
        insufficient buying power); nothing was stored.
    duplicate_client_order_ids : int
        Of those, submissions and replaces refused because the client order id was taken.
    orders_rejected : int
        Orders rejected by the fault plan (a ``rejected`` update).
    submit_timeouts : int
        Submissions stored whose answer was dropped or sent late.
    fills : int
        Executions booked.
    bars_processed, close_capped_bars : int
        Bars fed to the fill model, and those whose volume the near-close fault capped.
    stream_connections, open_streams, stream_drops : int
        Trade-update sockets accepted, open now, and aborted (planned or on command).
    updates_sent : int
        Update frames written, duplicates included.
    updates_delayed, acks_reordered, fill_duplicates_sent : int
        Stream faults carried out.
    events : Counter
        Updates published per event name (``new``, ``fill``, ...), before stream faults.
    restored_orders : int
        Orders read back from the state file at start.
    """

    requests: int = 0
    responses_429: int = 0
    responses_5xx: int = 0
    orders_submitted: int = 0
    orders_refused: int = 0
    duplicate_client_order_ids: int = 0
    orders_rejected: int = 0
    submit_timeouts: int = 0
    fills: int = 0
    bars_processed: int = 0
    close_capped_bars: int = 0
    stream_connections: int = 0
    open_streams: int = 0
    stream_drops: int = 0
    updates_sent: int = 0
    updates_delayed: int = 0
    acks_reordered: int = 0
    fill_duplicates_sent: int = 0
    events: Counter[str] = field(default_factory=Counter)
    restored_orders: int = 0

    def snapshot(self) -> TradingStats:
        """A deep copy, safe to read while the emulator keeps running."""
        return copy.deepcopy(self)


class TradingFaultState:
    """The plan in force (replaceable at run time) and the counters its numbers refer to."""

    def __init__(self, plan: TradingFaultPlan) -> None:
        self.plan = plan
        self.requests = 0
        self.submissions = 0
        self.fill_updates = 0
        self.dropped_once = False

    def http_fault(self) -> tuple[int, str | None] | None:
        """Number the next trading request; its faulted status and Retry-After, or None."""
        self.requests += 1
        if self.requests in self.plan.http_5xx_on:
            return self.plan.http_5xx_status, None
        if self.requests in self.plan.http_429_on:
            return 429, self.plan.retry_after_header()
        return None

    def next_submission(self) -> int:
        """Number the next stored order submission (1-based)."""
        self.submissions += 1
        return self.submissions

    def duplicate_next_fill(self) -> bool:
        """Number the next fill update; True when the plan sends it twice."""
        self.fill_updates += 1
        every = self.plan.duplicate_fills_every
        return every is not None and self.fill_updates % every == 0

    def drop_after_update(self, n: int) -> bool:
        """True when a connection's ``n``-th update is the one to drop it after."""
        if self.plan.drop_updates_after != n:
            return False
        drop = self.plan.drop_repeat or not self.dropped_once
        self.dropped_once = self.dropped_once or drop
        return drop
