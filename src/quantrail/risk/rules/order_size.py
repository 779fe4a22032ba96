"""Per-order size: the quantity and notional one order may carry (entries and exits alike,
except the engine's own flattening orders)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe

__all__ = ["OrderSizeConfig", "OrderSizeRule"]


class OrderSizeConfig(BaseModel, frozen=True, extra="forbid"):
    """Limits on one order. ``None`` disables a limit.

    max_order_quantity: largest quantity one order may carry.
    max_order_notional: largest quantity x reference price of one order, account currency.
    """

    max_order_quantity: float | None = Field(None, gt=0)
    max_order_notional: float | None = Field(None, gt=0)


class OrderSizeRule:
    name = "order_size"

    def __init__(self, config: OrderSizeConfig) -> None:
        self.max_quantity = config.max_order_quantity
        self.max_notional = config.max_order_notional

    @classmethod
    def build(cls, config: OrderSizeConfig) -> OrderSizeRule | None:
        if config.max_order_quantity is None and config.max_order_notional is None:
            return None
        return cls(config)

    def check(self, ctx: OrderContext) -> Denial | None:
        if ctx.flatten:
            return None  # the engine must be able to close a position of any size at once
        quantity = ctx.order.quantity
        if self.max_quantity is not None and quantity > self.max_quantity:
            return Denial(
                "max_order_quantity",
                f"{describe(ctx)}: quantity {quantity:g} exceeds max_order_quantity "
                f"{self.max_quantity:g}",
                {"quantity": quantity},
                self.max_quantity,
            )
        notional = quantity * ctx.price
        if self.max_notional is not None and notional > self.max_notional:
            return Denial(
                "max_order_notional",
                f"{describe(ctx)}: notional {notional:,.2f} exceeds max_order_notional "
                f"{self.max_notional:,.2f}",
                {"notional": notional, "price": ctx.price},
                self.max_notional,
            )
        return None
