"""Stale data: refuse an entry when the symbol's last price is older than ``max_price_age``.

Limits priced from stale data are not limits. Only entries are refused: an exit must stay
possible when a feed stops, or a data outage would trap the position.
"""

from __future__ import annotations

from pydantic import BaseModel, field_validator

from quantrail.core.time import parse_duration
from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe

__all__ = ["StaleDataConfig", "StaleDataRule"]


class StaleDataConfig(BaseModel, frozen=True, extra="forbid"):
    """max_price_age: the oldest last price an entry may be valued at ("90s", "5min", "3d").
    ``None`` disables it."""

    max_price_age: str | None = None

    @field_validator("max_price_age")
    @classmethod
    def _age_is_duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value


class StaleDataRule:
    name = "max_price_age"

    def __init__(self, text: str) -> None:
        self.text = text
        self.max_age_ns = parse_duration(text)

    @classmethod
    def build(cls, config: StaleDataConfig) -> StaleDataRule | None:
        return None if config.max_price_age is None else cls(config.max_price_age)

    def check(self, ctx: OrderContext) -> Denial | None:
        if not ctx.increases:
            return None
        stamp = ctx.view.portfolio.last_price_ts(ctx.order.symbol)
        age = ctx.now_ns - stamp
        # A symbol never priced has stamp -1: older than any limit.
        if stamp < 0 or age > self.max_age_ns:
            return Denial(
                self.name,
                f"{describe(ctx)}: last price of {ctx.order.symbol} is {age / 1e9:,.0f}s old, "
                f"older than max_price_age {self.text}: stale data",
                {"age_s": age / 1e9, "last_price_ts": stamp},
                self.text,
            )
        return None
