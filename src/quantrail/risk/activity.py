"""The record of orders actually sent, which the frequency and contradiction rules read.

Only ``RiskEngine.on_order_submitted`` writes here, so an order that risk refused is never
counted: a strategy stuck in a loop of denied orders does not also exhaust its order budget.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from quantrail.core.enums import OrderType, Side
from quantrail.core.orders import Order
from quantrail.core.time import NANOS_PER_MINUTE
from quantrail.risk.modes import FLATTEN_KEY

__all__ = ["Activity", "Sent", "is_hedge_leg"]


@dataclass(frozen=True, slots=True)
class Sent:
    """An order sent at the current timestamp, as the contradiction rule needs it."""

    strategy_id: str
    symbol: str
    side: Side
    hedge_leg: bool


def is_hedge_leg(order: Order) -> bool:
    """Stops, OCO legs and the engine's flattening orders are never contradictory.

    A buy entry sent with its protective sell stop, or the take-profit and stop legs of a
    bracket, are opposite sides at one timestamp by design.
    """
    return (
        order.order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
        or order.oco_group is not None
        or order.intent.state.get(FLATTEN_KEY) is True
    )


class Activity:
    """Submission times (last minute), the count per day, and the orders of the current ts."""

    __slots__ = ("_day", "_day_count", "_minute", "_sent", "_ts")

    def __init__(self) -> None:
        self._minute: deque[int] = deque()
        self._day: int | None = None
        self._day_count = 0
        self._ts: int | None = None
        self._sent: list[Sent] = []

    def record(self, order: Order, ts_ns: int, day: int) -> None:
        """Count one order sent at ``ts_ns`` on trading day ``day``."""
        self._minute.append(ts_ns)
        while self._minute and self._minute[0] <= ts_ns - NANOS_PER_MINUTE:
            self._minute.popleft()
        if day != self._day:
            self._day, self._day_count = day, 0
        self._day_count += 1
        if ts_ns != self._ts:
            self._ts, self._sent = ts_ns, []
        self._sent.append(Sent(order.strategy_id, order.symbol, order.side, is_hedge_leg(order)))

    def in_last_minute(self, now_ns: int) -> int:
        """Orders sent in ``(now - 60 s, now]``."""
        cutoff = now_ns - NANOS_PER_MINUTE
        return sum(1 for ts in self._minute if cutoff < ts <= now_ns)

    def on_day(self, day: int) -> int:
        """Orders sent on trading day ``day``."""
        return self._day_count if day == self._day else 0

    def sent_at(self, ts_ns: int) -> list[Sent]:
        """Orders sent at exactly ``ts_ns`` (the current event)."""
        return list(self._sent) if ts_ns == self._ts else []
