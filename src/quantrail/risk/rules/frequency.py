"""Trade-frequency guardrail: orders per minute and per trading day.

Counting happens only in ``RiskEngine.on_order_submitted``; this rule reads the counts. A
refused order therefore never uses up the budget. It applies to every order except the
engine's flattening orders: a runaway loop is as harmful on exits as on entries.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe

__all__ = ["FrequencyConfig", "FrequencyRule"]


class FrequencyConfig(BaseModel, frozen=True, extra="forbid"):
    """Most orders sent; ``None`` disables a limit.

    max_orders_per_minute: orders sent in any rolling 60 seconds.
    max_orders_per_day: orders sent in one trading session (the bars' session key).
    """

    max_orders_per_minute: int | None = Field(None, gt=0)
    max_orders_per_day: int | None = Field(None, gt=0)


class FrequencyRule:
    name = "order_frequency"

    def __init__(self, config: FrequencyConfig) -> None:
        self.per_minute = config.max_orders_per_minute
        self.per_day = config.max_orders_per_day

    @classmethod
    def build(cls, config: FrequencyConfig) -> FrequencyRule | None:
        if config.max_orders_per_minute is None and config.max_orders_per_day is None:
            return None
        return cls(config)

    def check(self, ctx: OrderContext) -> Denial | None:
        if ctx.flatten:
            return None
        if self.per_minute is not None:
            sent = ctx.activity.in_last_minute(ctx.now_ns)
            if sent + 1 > self.per_minute:
                return self._deny(ctx, "max_orders_per_minute", sent, self.per_minute, "minute")
        if self.per_day is not None:
            sent = ctx.activity.on_day(ctx.day)
            if sent + 1 > self.per_day:
                return self._deny(ctx, "max_orders_per_day", sent, self.per_day, "day")
        return None

    @staticmethod
    def _deny(ctx: OrderContext, rule: str, sent: int, limit: int, period: str) -> Denial:
        return Denial(
            rule,
            f"{describe(ctx)}: would be order {sent + 1} this {period}, beyond {rule} {limit}",
            {"sent": float(sent)},
            float(limit),
        )
