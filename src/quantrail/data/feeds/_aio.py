"""Small asyncio helpers shared by the feeds: the event queue's iterator and racing waits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from quantrail.core.errors import RateLimited, VenueUnavailable
from quantrail.data.feeds.backoff import Backoff, BackoffPolicy
from quantrail.data.feeds.events import FeedEvent, SleepFn

__all__ = ["RETRYABLE", "End", "EventStream", "race", "retrying", "sleep_unless"]

log = logging.getLogger("quantrail.data.feeds")
T = TypeVar("T")

RETRYABLE = (VenueUnavailable, ConnectionError, OSError, TimeoutError)
"""Errors that mean "this connection or request failed, try again"; others stop the feed."""


class End:
    """Queue sentinel: the feed finished, normally (``error`` None) or because of ``error``."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class EventStream:
    """Async iterator over a feed's queue; re-raises the error that stopped the feed."""

    def __init__(self, queue: asyncio.Queue[FeedEvent | End]) -> None:
        self._queue = queue

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> FeedEvent:
        item = await self._queue.get()
        if isinstance(item, End):
            self._queue.put_nowait(item)  # so that a later iterator ends too
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item


async def _wrap(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


async def race(coros: Sequence[Coroutine[Any, Any, Any]]) -> None:
    """Run ``coros`` until the first finishes; cancel and reap the rest; re-raise its error.

    The first error in ``coros`` order wins when several finished together.
    """
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            raise error


async def sleep_unless(stop: asyncio.Event, sleep: SleepFn, delay: float) -> None:
    """``await sleep(delay)``, returning early when ``stop`` is set."""
    if delay <= 0 or stop.is_set():
        return
    await race([_wrap(sleep(delay)), stop.wait()])


async def retrying(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int,
    policy: BackoffPolicy,
    timeout_s: float,
    pause: Callable[[float], Awaitable[None]],
    what: str,
) -> T | None:
    """``await call()`` up to ``attempts`` times, backing off between; None when all failed.

    Only :data:`RETRYABLE` errors are retried (a rate limit backs off one step further);
    others propagate. Each attempt is bounded by ``timeout_s`` of loop time.
    """
    schedule = Backoff(policy)
    for attempt in range(1, attempts + 1):
        try:
            return await asyncio.wait_for(call(), timeout_s)
        except RETRYABLE as exc:
            log.warning("%s: attempt %d of %d failed: %s", what, attempt, attempts, exc)
            if attempt < attempts:
                await pause(schedule.next_delay(1 if isinstance(exc, RateLimited) else 0))
    return None
