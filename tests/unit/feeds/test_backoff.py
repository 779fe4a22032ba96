from __future__ import annotations

from typing import Any

import pytest

from quantrail.data.feeds import Backoff, BackoffPolicy


def test_ceiling_doubles_from_base_up_to_the_cap() -> None:
    policy = BackoffPolicy(base_s=0.5, cap_s=4.0, factor=2.0, jitter=0.0)
    assert [policy.ceiling(a) for a in range(7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]


def test_without_jitter_the_delays_are_the_ceilings() -> None:
    backoff = Backoff(BackoffPolicy(base_s=1.0, cap_s=10.0, factor=3.0, jitter=0.0))
    assert [backoff.next_delay() for _ in range(4)] == [1.0, 3.0, 9.0, 10.0]


def test_seeded_jitter_stays_within_bounds_and_repeats() -> None:
    policy = BackoffPolicy(base_s=0.5, cap_s=8.0, factor=2.0, jitter=0.5, seed=42)
    first = Backoff(policy)
    delays = [first.next_delay() for _ in range(12)]
    for attempt, delay in enumerate(delays):
        ceiling = policy.ceiling(attempt)
        assert ceiling * 0.5 <= delay <= ceiling
    again = Backoff(policy)
    assert [again.next_delay() for _ in range(12)] == delays
    other = Backoff(BackoffPolicy(base_s=0.5, cap_s=8.0, factor=2.0, jitter=0.5, seed=7))
    assert [other.next_delay() for _ in range(12)] != delays


def test_jitter_never_exceeds_the_cap() -> None:
    backoff = Backoff(BackoffPolicy(base_s=1.0, cap_s=2.0, jitter=1.0, seed=1))
    assert all(0.0 <= backoff.next_delay() <= 2.0 for _ in range(200))


def test_reset_starts_over_and_skip_backs_off_harder() -> None:
    backoff = Backoff(BackoffPolicy(base_s=1.0, cap_s=100.0, jitter=0.0))
    backoff.next_delay()
    backoff.next_delay()
    backoff.reset()
    assert backoff.attempt == 0
    assert backoff.next_delay() == 1.0
    assert backoff.next_delay(skip=1) == 4.0  # attempt 2 instead of 1: a rate limit
    assert backoff.attempt == 3


def test_a_long_outage_does_not_overflow() -> None:
    policy = BackoffPolicy(base_s=0.5, cap_s=30.0, jitter=0.0)
    assert policy.ceiling(10_000) == 30.0
    assert BackoffPolicy(base_s=0.0, cap_s=0.0).ceiling(5) == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_s": -1.0},
        {"base_s": 2.0, "cap_s": 1.0},
        {"factor": 0.5},
        {"jitter": 1.5},
    ],
)
def test_invalid_policies_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="backoff"):
        BackoffPolicy(**kwargs)
