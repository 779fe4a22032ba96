"""Per-instrument position: quantity, notional and share of equity, worst case.

The worst case is the position plus every working order on the same side plus this one
(``OrderContext.projected``). An order that only reduces the position always passes, so a limit
can never trap a trader in a position it has been breached by.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe

__all__ = ["PositionLimitConfig", "PositionLimitRule"]


class PositionLimitConfig(BaseModel, frozen=True, extra="forbid"):
    """Limits per instrument. ``None`` disables a limit.

    max_position_quantity: largest absolute position per symbol.
    max_position_notional: largest absolute position x price per symbol, account currency.
    max_position_pct: largest absolute position x price per symbol as a fraction of equity
        (0.10 = 10 %). On by default; set ``null`` to switch it off.
    """

    max_position_quantity: float | None = Field(None, gt=0)
    max_position_notional: float | None = Field(None, gt=0)
    max_position_pct: float | None = Field(0.10, gt=0)


class PositionLimitRule:
    name = "position_limit"

    def __init__(self, config: PositionLimitConfig) -> None:
        self.max_quantity = config.max_position_quantity
        self.max_notional = config.max_position_notional
        self.max_pct = config.max_position_pct

    @classmethod
    def build(cls, config: PositionLimitConfig) -> PositionLimitRule | None:
        limits = (config.max_position_quantity, config.max_position_notional)
        if all(x is None for x in limits) and config.max_position_pct is None:
            return None
        return cls(config)

    def check(self, ctx: OrderContext) -> Denial | None:
        if not ctx.increases:
            return None
        size = abs(ctx.projected)
        notional = size * ctx.price
        values: dict[str, float | str | None] = {
            "position": ctx.position,
            "projected": ctx.projected,
            "price": ctx.price,
        }
        what = describe(ctx)
        if self.max_quantity is not None and size > self.max_quantity:
            return Denial(
                "max_position_quantity",
                f"{what}: position with this and working orders would be {ctx.projected:g}, "
                f"beyond max_position_quantity {self.max_quantity:g}",
                values,
                self.max_quantity,
            )
        if self.max_notional is not None and notional > self.max_notional:
            return Denial(
                "max_position_notional",
                f"{what}: position notional would be {notional:,.2f}, beyond "
                f"max_position_notional {self.max_notional:,.2f}",
                {**values, "notional": notional},
                self.max_notional,
            )
        # Equity at or below zero makes every share infinite: refuse rather than divide.
        if self.max_pct is not None and (
            ctx.equity <= 0 or not notional <= self.max_pct * ctx.equity
        ):
            return Denial(
                "max_position_pct",
                f"{what}: position notional {notional:,.2f} would be "
                f"{_share(notional, ctx.equity)} of equity {ctx.equity:,.2f}, beyond "
                f"max_position_pct {self.max_pct:.2%}",
                {**values, "notional": notional, "equity": ctx.equity},
                self.max_pct,
            )
        return None


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.2%}" if whole > 0 else "an undefined share"
