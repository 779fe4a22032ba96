"""Signal sanity beyond the order itself: prices far from the market, contradictory intents.

(NaN/inf quantities and prices are ``order_sanity``'s; quantities beyond limits are
``max_order_quantity``'s.)
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from quantrail.risk.activity import is_hedge_leg
from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import PreTradeRule, describe

__all__ = ["ContradictionRule", "PriceBandRule", "SignalConfig", "signal_rules"]


class SignalConfig(BaseModel, frozen=True, extra="forbid"):
    """Checks on what a strategy asks for.

    max_price_deviation: refuse a limit or stop price more than this fraction away from the
        last price (0.2 = 20 %), a fat-finger guard. ``None`` disables it.
    deny_contradictory_intents: refuse a buy and a sell of one symbol from one strategy at one
        timestamp (the second one sent is refused). Stops, OCO legs and flattening orders are
        exempt: an entry with its protective stop is opposite sides by design.
    """

    max_price_deviation: float | None = Field(None, gt=0)
    deny_contradictory_intents: bool = True


class PriceBandRule:
    name = "max_price_deviation"

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def check(self, ctx: OrderContext) -> Denial | None:
        if ctx.flatten:
            return None
        order = ctx.order
        for field in ("limit_price", "stop_price"):
            price = getattr(order, field)
            if price is None:
                continue
            last = ctx.last_price
            deviation = abs(price - last) / last if last > 0 else math.inf
            if not deviation <= self.limit:  # an unknown last price is refused too
                return Denial(
                    self.name,
                    f"{describe(ctx)}: {field} {price:g} is {deviation:.2%} from the last price "
                    f"{last:g}, beyond max_price_deviation {self.limit:.2%}",
                    {field: price, "last_price": last, "deviation": deviation},
                    self.limit,
                )
        return None


class ContradictionRule:
    name = "contradictory_intents"

    def check(self, ctx: OrderContext) -> Denial | None:
        order = ctx.order
        if is_hedge_leg(order):
            return None
        for sent in ctx.activity.sent_at(ctx.now_ns):
            if (
                sent.strategy_id == order.strategy_id
                and sent.symbol == order.symbol
                and sent.side != order.side
                and not sent.hedge_leg
            ):
                return Denial(
                    self.name,
                    f"{describe(ctx)}: strategy {order.strategy_id} already sent a "
                    f"{sent.side.label} of {order.symbol} at ts {ctx.now_ns}: contradictory",
                    {"strategy_id": order.strategy_id, "ts_ns": float(ctx.now_ns)},
                    None,
                )
        return None


def signal_rules(config: SignalConfig) -> list[PreTradeRule]:
    rules: list[PreTradeRule] = []
    if config.max_price_deviation is not None:
        rules.append(PriceBandRule(config.max_price_deviation))
    if config.deny_contradictory_intents:
        rules.append(ContradictionRule())
    return rules
