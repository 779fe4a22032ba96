"""The per-call retry table, exercised with fake venue calls, a fake sleep and a fake clock."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantrail.core.errors import RateLimited, VenueRejected, VenueUnavailable
from quantrail.oms import RETRY_POLICY, CallOutcome, OnUnavailable, RetryRule, call_with_policy


class Limited(RateLimited):
    def __init__(self, retry_after: float | None) -> None:
        super().__init__("429")
        self.retry_after = retry_after


class FakeTime:
    """A sleep that advances a clock instead of waiting."""

    def __init__(self) -> None:
        self.ns = 0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.ns += int(seconds * 1e9)

    def clock(self) -> int:
        return self.ns


def scripted(*steps: object) -> tuple[Callable[[], str], list[int]]:
    """A call that raises or returns each step in turn; the list counts the calls made."""
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        step = steps[len(calls) - 1]
        if isinstance(step, Exception):
            raise step
        return str(step)

    return fn, calls


def run(name: str, fn: Callable[[], str], time: FakeTime | None = None, **kwargs: object):
    time = time or FakeTime()
    return call_with_policy(name, fn, time.sleep, time.clock, **kwargs)  # type: ignore[arg-type]


def test_the_table_names_each_call_and_its_idempotency():
    assert RETRY_POLICY["submit"].on_unavailable is OnUnavailable.RESOLVE
    assert RETRY_POLICY["replace"].on_unavailable is OnUnavailable.RESOLVE
    for name in ("cancel", "query", "get"):
        assert RETRY_POLICY[name].on_unavailable is OnUnavailable.RETRY


@pytest.mark.parametrize("name", ["submit", "replace"])
def test_a_timed_out_submit_is_never_sent_again(name):
    fn, calls = scripted(VenueUnavailable("timeout"), "unreachable")
    result = run(name, fn)
    assert result.outcome is CallOutcome.AMBIGUOUS
    assert len(calls) == 1
    assert isinstance(result.error, VenueUnavailable)


def test_a_rate_limited_submit_was_not_processed_and_is_retried_after_retry_after():
    time = FakeTime()
    fn, calls = scripted(Limited(2.5), "placed")
    result = run("submit", fn, time)
    assert result.outcome is CallOutcome.DONE
    assert result.value == "placed"
    assert len(calls) == 2
    assert time.slept == [2.5]
    assert result.delays == (2.5,)


def test_rate_limits_until_attempts_run_out_fail_the_submit():
    fn, calls = scripted(*[Limited(None)] * 3)
    result = run("submit", fn)
    assert result.outcome is CallOutcome.FAILED
    assert len(calls) == 3
    assert result.attempts == 3


def test_cancel_is_retried_with_backoff_until_it_succeeds():
    time = FakeTime()
    fn, _calls = scripted(VenueUnavailable("a"), VenueUnavailable("b"), "canceled")
    result = run("cancel", fn, time)
    assert result.outcome is CallOutcome.DONE
    assert result.attempts == 3
    rule = RETRY_POLICY["cancel"]
    for retry, wait in enumerate(time.slept):
        bound = min(rule.max_delay, rule.base_delay * 2**retry)
        assert bound * (1 - rule.jitter) <= wait <= bound


def test_rejections_are_never_retried():
    fn, calls = scripted(VenueRejected("insufficient funds"), "x")
    result = run("cancel", fn)
    assert result.outcome is CallOutcome.REJECTED
    assert len(calls) == 1


def test_query_gives_up_after_its_attempts():
    fn, calls = scripted(*[VenueUnavailable("down")] * 10)
    result = run("query", fn)
    assert result.outcome is CallOutcome.FAILED
    assert len(calls) == RETRY_POLICY["query"].max_attempts


def test_the_deadline_stops_retries_before_attempts_run_out():
    policy = {"get": RetryRule(OnUnavailable.RETRY, max_attempts=10, deadline=1.0)}
    time = FakeTime()
    fn, calls = scripted(*[Limited(0.6)] * 10)
    result = run("get", fn, time, policy=policy)
    assert result.outcome is CallOutcome.FAILED
    assert len(calls) == 2
    assert time.slept == [0.6]


def test_other_exceptions_are_bugs_and_propagate():
    fn, _ = scripted(KeyError("bug"))
    with pytest.raises(KeyError):
        run("get", fn)


def test_jitter_is_reproducible_from_the_seed():
    waits = []
    for _ in range(2):
        time = FakeTime()
        fn, _ = scripted(*[VenueUnavailable("x")] * 4, "ok")
        run("query", fn, time, rng=random.Random(7))
        waits.append(time.slept)
    assert waits[0] == waits[1]
    assert len(waits[0]) == 4


@pytest.mark.parametrize("kwargs", [{"max_attempts": 0}, {"jitter": 1.5}, {"base_delay": -1.0}])
def test_invalid_rules_are_refused(kwargs):
    with pytest.raises(ValueError, match="RetryRule"):
        RetryRule(OnUnavailable.RETRY, **kwargs)


@given(st.integers(0, 20), st.floats(0, 100), st.integers(0, 2**32))
def test_delay_is_bounded_and_honours_retry_after(retry, retry_after, seed):
    rule = RETRY_POLICY["cancel"]
    wait = rule.delay(retry, random.Random(seed), retry_after)
    assert wait >= retry_after
    assert wait <= max(rule.max_delay, retry_after)
