"""Exponential backoff with jitter for reconnects and backfill retries."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["Backoff", "BackoffPolicy"]


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """How long to wait before retry number ``attempt`` (0-based).

    The un-jittered delay is ``min(cap_s, base_s * factor ** attempt)``; jitter then takes a
    uniform draw from ``[delay * (1 - jitter), delay]``. Jitter only ever shortens the wait,
    so ``cap_s`` is a hard bound, and clients that lost the same venue at the same moment do
    not all come back in the same instant.

    Attributes
    ----------
    base_s : float
        First delay in seconds (>= 0). 0 retries at once (replay uses that).
    cap_s : float
        Largest delay in seconds (>= base_s).
    factor : float
        Growth per attempt (>= 1).
    jitter : float
        Fraction of the delay that is random, in [0, 1]; 0 gives a fixed schedule.
    seed : int or None
        Seed of the jitter RNG; set it for a reproducible schedule (tests).
    """

    base_s: float = 0.5
    cap_s: float = 30.0
    factor: float = 2.0
    jitter: float = 0.5
    seed: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.base_s) and self.base_s >= 0):
            raise ValueError(f"backoff base_s must be a finite number >= 0, got {self.base_s}")
        if not (math.isfinite(self.cap_s) and self.cap_s >= self.base_s):
            raise ValueError(f"backoff cap_s must be >= base_s ({self.base_s}), got {self.cap_s}")
        if not (math.isfinite(self.factor) and self.factor >= 1):
            raise ValueError(f"backoff factor must be >= 1, got {self.factor}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"backoff jitter must be in [0, 1], got {self.jitter}")

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay of ``attempt``: the upper bound of its jittered draw."""
        if attempt < 0:
            raise ValueError(f"attempt must be >= 0, got {attempt}")
        # Compare exponents instead of computing factor ** attempt, which overflows a float
        # after ~1000 attempts of a long outage.
        if self.base_s == 0 or self.factor == 1:
            return min(self.cap_s, self.base_s)
        limit = math.log(self.cap_s / self.base_s, self.factor)
        return (
            self.cap_s if attempt >= limit else min(self.cap_s, self.base_s * self.factor**attempt)
        )


class Backoff:
    """A running retry schedule: :meth:`next_delay` grows until :meth:`reset`.

    Parameters
    ----------
    policy : BackoffPolicy
        Base, cap, factor, jitter and seed.
    """

    __slots__ = ("_attempt", "_rng", "policy")

    def __init__(self, policy: BackoffPolicy) -> None:
        self.policy = policy
        self._rng = random.Random(policy.seed)
        self._attempt = 0

    @property
    def attempt(self) -> int:
        """Number of delays handed out since the last reset."""
        return self._attempt

    def delay(self, attempt: int) -> float:
        """Jittered delay for ``attempt``, drawing from this schedule's RNG."""
        ceiling = self.policy.ceiling(attempt)
        return ceiling * (1.0 - self.policy.jitter * self._rng.random())

    def next_delay(self, skip: int = 0) -> float:
        """Delay before the next retry; ``skip`` extra steps back off harder (rate limits)."""
        self._attempt += skip
        value = self.delay(self._attempt)
        self._attempt += 1
        return value

    def reset(self) -> None:
        """Start again from ``base_s`` (after a connection delivered data)."""
        self._attempt = 0
