"""Protective exits: entries that must be covered by a stop, and positions left without one.

Design. An entry *requires a stop* when ``require_stop_for_entries`` is set, or when its intent
state carries ``{"requires_stop": True}``. Such an entry passes only if working stop orders
(STOP or STOP_LIMIT) on the opposite side of the same symbol cover the whole worst-case
position it leads to; stops that are legs of one OCO group (a bracket's stop and target) count
once. So the strategy sends the protective stop *first*, then the entry. Stop orders themselves
never require a stop (they are the protection), and reductions never do.

The monitor reports a position that has no working opposite-side stop, once per position (until
it is closed).
"""

from __future__ import annotations

from pydantic import BaseModel

from quantrail.core.enums import OrderType
from quantrail.core.orders import Order
from quantrail.risk.context import OrderContext, pending_quantity
from quantrail.risk.events import Denial, RiskEvent
from quantrail.risk.rules.base import describe
from quantrail.risk.view import RiskView

__all__ = [
    "REQUIRES_STOP_KEY",
    "ProtectiveExitConfig",
    "RequireStopRule",
    "UnprotectedPositionMonitor",
    "stop_cover",
]

REQUIRES_STOP_KEY = "requires_stop"
_STOPS = (OrderType.STOP, OrderType.STOP_LIMIT)


class ProtectiveExitConfig(BaseModel, frozen=True, extra="forbid"):
    """require_stop_for_entries: every entry must be covered by working stops (else only
        entries whose intent state says ``requires_stop: true``).
    warn_unprotected_positions: report a ``warn`` risk event when a position has no working
        opposite-side stop (once per position, until it is closed).
    """

    require_stop_for_entries: bool = False
    warn_unprotected_positions: bool = True


def stop_cover(working: list[Order], symbol: str, position_sign: int, exclude: str = "") -> float:
    """Quantity covered by working stops that would close a position of ``position_sign``."""
    stops = [
        o
        for o in working
        if o.symbol == symbol
        and o.order_type in _STOPS
        and int(o.side) == -position_sign
        and o.client_order_id != exclude
    ]
    return pending_quantity(stops)


class RequireStopRule:
    name = "protective_stop"

    def __init__(self, always: bool) -> None:
        self.always = always

    def check(self, ctx: OrderContext) -> Denial | None:
        order = ctx.order
        if not ctx.increases or order.order_type in _STOPS or ctx.flatten:
            return None
        if not (self.always or order.intent.state.get(REQUIRES_STOP_KEY) is True):
            return None
        needed = abs(ctx.projected)
        sign = 1 if ctx.projected > 0 else -1
        working = ctx.view.working_orders(order.symbol)
        covered = stop_cover(working, order.symbol, sign, order.client_order_id)
        if covered < needed:
            return Denial(
                self.name,
                f"{describe(ctx)}: requires a protective stop; working {order.symbol} stops "
                f"cover {covered:g} of the {needed:g} it could lead to (send the stop first)",
                {"covered": covered, "projected": ctx.projected},
                needed,
            )
        return None


class UnprotectedPositionMonitor:
    """Reports a position without a working stop, once until the position is closed."""

    name = "unprotected_position"

    def __init__(self) -> None:
        self._reported: set[str] = set()

    def observe(self, symbol: str, view: RiskView) -> RiskEvent | None:
        position = view.portfolio.position(symbol)
        if position == 0:
            self._reported.discard(symbol)
            return None
        if symbol in self._reported:
            return None  # once per position: the order book is not searched again every bar
        sign = 1 if position > 0 else -1
        if stop_cover(view.working_orders(symbol), symbol, sign) > 0:
            return None
        self._reported.add(symbol)
        return RiskEvent(
            view.now_ns(),
            self.name,
            "warn",
            symbol,
            f"position {position:g} {symbol} has no working protective stop",
            {"position": position},
        )
