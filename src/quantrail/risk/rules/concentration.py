"""Exposure concentration by tag: no group (a sector, an asset class) above a share of the book.

A group's share is its gross exposure divided by the book's gross exposure, floored at equity:
without the floor the first position of an empty book would be 100 % of it and always refused.
So a lightly invested book is measured against equity, a leveraged one against its gross. A
symbol without the tag is in the group ``"untagged"`` (limited like any other).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe

__all__ = ["UNTAGGED", "ConcentrationConfig", "ConcentrationRule"]

UNTAGGED = "untagged"


class ConcentrationConfig(BaseModel, frozen=True, extra="forbid"):
    """limits: tag name -> largest share (0-1] of gross exposure any one value of that tag may
    hold, e.g. ``{"sector": 0.4, "asset_class": 0.8}``. Empty (the default) disables it."""

    limits: dict[str, float] = Field(default_factory=dict)

    @field_validator("limits")
    @classmethod
    def _shares(cls, limits: dict[str, float]) -> dict[str, float]:
        for tag, share in limits.items():
            if not 0 < share <= 1:
                raise ValueError(f"the {tag} limit must be a share in (0, 1], was {share!r}")
        return limits


class ConcentrationRule:
    name = "concentration"

    def __init__(self, limits: dict[str, float]) -> None:
        self.limits = dict(limits)

    @classmethod
    def build(cls, config: ConcentrationConfig) -> ConcentrationRule | None:
        return cls(config.limits) if config.limits else None

    def check(self, ctx: OrderContext) -> Denial | None:
        if not ctx.increases:
            return None
        view = ctx.view
        portfolio = view.portfolio
        symbol = ctx.order.symbol
        exposure = {s: abs(q) * portfolio.last_price(s) for s, q in portfolio.positions().items()}
        exposure[symbol] = abs(ctx.projected) * ctx.price
        gross = sum(exposure.values())
        base = max(gross, ctx.equity)
        tags = {s: view.tags(s) for s in exposure}
        for tag, limit in self.limits.items():
            group = tags[symbol].get(tag, UNTAGGED)
            in_group = sum(v for s, v in exposure.items() if tags[s].get(tag, UNTAGGED) == group)
            share = in_group / base if base > 0 else float("inf")
            if not share <= limit:
                return Denial(
                    f"concentration:{tag}",
                    f"{describe(ctx)}: {tag} {group!r} would hold {share:.2%} of gross exposure "
                    f"({in_group:,.2f} of {base:,.2f}), beyond the {tag} limit {limit:.2%}",
                    {"tag": tag, "group": group, "exposure": in_group, "base": base},
                    limit,
                )
        return None
