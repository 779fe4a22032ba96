"""Order sanity: positive finite quantity and prices, the prices its type needs, a known price.

Always on, for every order (reductions and the engine's flattening orders included): an order
with a NaN quantity or no price to value it at cannot be judged by any other rule.
"""

from __future__ import annotations

import math

from quantrail.core.enums import OrderType
from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe

__all__ = ["OrderSanityRule"]

_NEEDS_LIMIT = (OrderType.LIMIT, OrderType.STOP_LIMIT)
_NEEDS_STOP = (OrderType.STOP, OrderType.STOP_LIMIT)


def _positive(value: float) -> bool:
    return math.isfinite(value) and value > 0


class OrderSanityRule:
    name = "order_sanity"

    def check(self, ctx: OrderContext) -> Denial | None:
        order = ctx.order
        what = describe(ctx)
        if not _positive(order.quantity):
            return self._deny(f"{what}: quantity must be a positive finite number", order.quantity)
        for field in ("limit_price", "stop_price"):
            value = getattr(order, field)
            if value is not None and not _positive(value):
                return self._deny(f"{what}: {field} must be a positive finite number", value)
        if order.order_type in _NEEDS_LIMIT and order.limit_price is None:
            return self._deny(f"{what}: a {order.order_type} order needs a limit_price", None)
        if order.order_type in _NEEDS_STOP and order.stop_price is None:
            return self._deny(f"{what}: a {order.order_type} order needs a stop_price", None)
        if not _positive(ctx.price):
            return Denial(
                self.name,
                f"{what}: no valid price known for {order.symbol} (last price {ctx.price!r})",
                {"price": ctx.price},
            )
        return None

    def _deny(self, reason: str, value: float | None) -> Denial:
        return Denial(self.name, f"{reason}, was {value!r}", {"value": value})
