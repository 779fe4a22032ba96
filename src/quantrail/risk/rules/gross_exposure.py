"""Gross exposure: the sum of |position| x price over all symbols, as a multiple of equity."""

from __future__ import annotations

from pydantic import BaseModel, Field

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe

__all__ = ["GrossExposureConfig", "GrossExposureRule", "gross_exposure"]


class GrossExposureConfig(BaseModel, frozen=True, extra="forbid"):
    """max_gross_exposure: largest gross exposure the order may lead to, as a multiple of
    equity (1.0 = fully invested, 2.0 = 2x leverage). ``None`` disables it."""

    max_gross_exposure: float | None = Field(None, gt=0)


def gross_exposure(ctx: OrderContext) -> float:
    """Gross exposure with the order's symbol at its worst-case projected position."""
    portfolio = ctx.view.portfolio
    gross = abs(ctx.projected) * ctx.price
    for symbol, quantity in portfolio.positions().items():
        if symbol != ctx.order.symbol:
            gross += abs(quantity) * portfolio.last_price(symbol)
    return gross


class GrossExposureRule:
    name = "max_gross_exposure"

    def __init__(self, limit: float) -> None:
        self.limit = limit

    @classmethod
    def build(cls, config: GrossExposureConfig) -> GrossExposureRule | None:
        limit = config.max_gross_exposure
        return None if limit is None else cls(limit)

    def check(self, ctx: OrderContext) -> Denial | None:
        if not ctx.increases:
            return None
        gross = gross_exposure(ctx)
        # "not <=" so a NaN exposure (a position without a price) is refused too.
        if ctx.equity <= 0 or not gross <= self.limit * ctx.equity:
            return Denial(
                self.name,
                f"{describe(ctx)}: gross exposure {gross:,.2f} would exceed "
                f"{self.limit:g} x equity {ctx.equity:,.2f}",
                {"gross": gross, "equity": ctx.equity},
                self.limit,
            )
        return None
