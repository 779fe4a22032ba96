"""Bounded retries with exponential backoff and jitter, honouring the venue's Retry-After."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from quantrail.core.errors import RateLimited, VenueUnavailable

__all__ = ["RetryPolicy", "Throttled", "call_with_retries"]

T = TypeVar("T")


class Throttled(RateLimited):
    """The venue answered 429; ``retry_after`` is its ``Retry-After`` in seconds, if it sent one."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try a page before giving up.

    Parameters
    ----------
    max_retries : int
        Retries after the first attempt, for transient errors and rate limits alike.
    base_delay, max_delay : float
        Backoff before retry ``n`` (0-based) is ``min(max_delay, base_delay * 2**n)``, scaled
        by a random factor in ``[1 - jitter, 1]`` so that clients restarted together do not
        retry in lockstep. A rate limit waits at least the venue's ``Retry-After``.
    jitter : float
        Fraction of the backoff that is randomised, in ``[0, 1]``.
    seed : int or None
        Seed of the jitter, for reproducible tests; None draws from the OS.
    """

    max_retries: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.5
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy values must be >= 0")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"RetryPolicy.jitter must be within [0, 1], got {self.jitter}")

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based)."""
        backoff = min(self.max_delay, self.base_delay * 2.0**retry)
        backoff *= 1.0 - self.jitter * rng.random()
        return max(backoff, retry_after or 0.0)


def call_with_retries(
    fetch: Callable[[], T],
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    what: str,
) -> T:
    """Call ``fetch`` until it succeeds, retrying :class:`VenueUnavailable` (rate limits
    included) up to ``policy.max_retries`` times.

    Raises
    ------
    RateLimited, VenueUnavailable
        The last error, re-raised with how many attempts were made, when retries run out.
    VenueRejected
        At once: retrying a refused request does not help.
    """
    rng = random.Random(policy.seed)
    for retry in range(policy.max_retries + 1):
        try:
            return fetch()
        except VenueUnavailable as exc:
            if retry == policy.max_retries:
                kind = RateLimited if isinstance(exc, RateLimited) else VenueUnavailable
                raise kind(f"{what}: gave up after {retry + 1} attempts: {exc}") from exc
            retry_after = exc.retry_after if isinstance(exc, Throttled) else None
            sleep(policy.delay(retry, rng, retry_after))
    raise AssertionError("unreachable")  # the loop returns or raises
