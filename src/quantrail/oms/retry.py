"""The retry policy of each venue call, written down in one table.

A call either is idempotent (asking twice does what asking once does: cancel, query) and may be
retried with backoff, or it is not (submit, replace) and a lost answer must be resolved by
querying the venue for the client order id (``oms.ambiguous``), never by sending it again.

Errors are read by what they say about the request:

- ``VenueRejected``: the venue refused it; retrying cannot help, never retried;
- ``RateLimited``: the venue refused it *unprocessed*, so even a submit may be sent again
  after the venue's ``retry_after`` (adapters raise it only for such answers, e.g. HTTP 429);
- other ``VenueUnavailable`` (timeout, connection lost): the request may or may not have been
  acted on; retried only when the call is idempotent, otherwise the outcome is AMBIGUOUS.

Backoff before retry ``n`` (0-based) is ``min(max_delay, base_delay * 2**n)`` scaled by a
factor in ``[1 - jitter, 1]`` drawn from a seeded generator, so tests are reproducible and
clients restarted together do not retry in lockstep.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from quantrail.core.errors import RateLimited, VenueRejected, VenueUnavailable

__all__ = [
    "RETRY_POLICY",
    "CallOutcome",
    "CallResult",
    "OnUnavailable",
    "RetryRule",
    "call_with_policy",
]

T = TypeVar("T")

_NS = 1_000_000_000


class OnUnavailable(StrEnum):
    """What a timeout or lost connection means for a call."""

    RETRY = "retry"  # idempotent: ask again after a backoff
    RESOLVE = "resolve"  # outcome unknown: stop and resolve by querying the venue


@dataclass(frozen=True, slots=True)
class RetryRule:
    """How one kind of call is retried.

    Parameters
    ----------
    on_unavailable : OnUnavailable
        RETRY for idempotent calls, RESOLVE for calls that must not be sent twice.
    max_attempts : int
        Attempts in all, the first included (rate-limited ones count too).
    base_delay, max_delay : float
        Backoff bounds in seconds.
    jitter : float
        Fraction of the backoff that is randomised, in ``[0, 1]``.
    deadline : float
        Seconds from the first attempt after which no retry starts.
    """

    on_unavailable: OnUnavailable
    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 5.0
    jitter: float = 0.5
    deadline: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryRule.max_attempts must be >= 1, was {self.max_attempts}")
        if min(self.base_delay, self.max_delay, self.deadline) < 0:
            raise ValueError("RetryRule delays and deadline must be >= 0")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"RetryRule.jitter must be within [0, 1], was {self.jitter}")

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based); at least ``retry_after``."""
        backoff = min(self.max_delay, self.base_delay * 2.0**retry)
        backoff *= 1.0 - self.jitter * rng.random()
        return max(backoff, retry_after or 0.0)


_RESOLVE = OnUnavailable.RESOLVE
_RETRY = OnUnavailable.RETRY

RETRY_POLICY: dict[str, RetryRule] = {
    # Never resent after a timeout: a second submit could double the position. Only a rate
    # limit (refused unprocessed) is retried.
    "submit": RetryRule(_RESOLVE, max_attempts=3),
    # A replace is not idempotent either (a second one may apply to the already-replaced order).
    "replace": RetryRule(_RESOLVE, max_attempts=3),
    # Canceling twice is harmless and an order left working is the larger risk: try harder.
    "cancel": RetryRule(_RETRY, max_attempts=6, base_delay=0.2, max_delay=5.0),
    "query": RetryRule(_RETRY, max_attempts=5),
    "get": RetryRule(_RETRY, max_attempts=5),
}


class CallOutcome(StrEnum):
    DONE = "done"  # the call returned
    REJECTED = "rejected"  # the venue refused it; not retried
    AMBIGUOUS = "ambiguous"  # a non-idempotent call got no answer: resolve by query
    FAILED = "failed"  # retries or deadline exhausted; for a submit: definitely not placed


@dataclass(frozen=True, slots=True)
class CallResult(Generic[T]):
    """The outcome of a call made under its rule, with every wait taken (for the audit)."""

    name: str
    outcome: CallOutcome
    value: T | None = None
    error: Exception | None = None
    attempts: int = 0
    delays: tuple[float, ...] = field(default=())


def call_with_policy(
    name: str,
    fn: Callable[[], T],
    sleep: Callable[[float], None],
    clock: Callable[[], int],
    *,
    rng: random.Random | None = None,
    policy: dict[str, RetryRule] | None = None,
) -> CallResult[T]:
    """Call ``fn`` under ``RETRY_POLICY[name]`` (or ``policy[name]``).

    Parameters
    ----------
    name : str
        The kind of call: "submit", "cancel", "replace", "query" or "get".
    fn : callable
        Makes the call once; raises ``VenueError`` subclasses as described in the module text.
    sleep : callable
        Waits the given seconds (injected so tests and the simulated clock do not wait).
    clock : callable
        Current time in ns (``Clock.now_ns``), for the deadline.
    rng : random.Random, optional
        Jitter source; seeded from the run configuration. Defaults to ``Random(0)``.

    Any other exception propagates: it is a bug, not a venue answer.
    """
    rule = (policy or RETRY_POLICY)[name]
    rng = rng if rng is not None else random.Random(0)
    start = clock()
    delays: list[float] = []
    for attempt in range(1, rule.max_attempts + 1):
        try:
            value = fn()
        except VenueRejected as exc:
            return CallResult(name, CallOutcome.REJECTED, None, exc, attempt, tuple(delays))
        except VenueUnavailable as exc:
            limited = isinstance(exc, RateLimited)
            if not limited and rule.on_unavailable is OnUnavailable.RESOLVE:
                return CallResult(name, CallOutcome.AMBIGUOUS, None, exc, attempt, tuple(delays))
            retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            wait = rule.delay(attempt - 1, rng, retry_after)
            out_of_time = clock() - start + wait * _NS > rule.deadline * _NS
            if attempt == rule.max_attempts or out_of_time:
                return CallResult(name, CallOutcome.FAILED, None, exc, attempt, tuple(delays))
            delays.append(wait)
            sleep(wait)
        else:
            return CallResult(name, CallOutcome.DONE, value, None, attempt, tuple(delays))
    raise AssertionError("unreachable: the loop returns on its last attempt")
