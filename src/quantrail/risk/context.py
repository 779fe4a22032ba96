"""What a pre-trade rule looks at, computed once per order.

Position and exposure rules use the worst case: the position plus every working order on the
same side plus this one. Legs of one OCO group can fill at most once between them, so a group
counts with its largest leg, not their sum (a bracket's stop and take-profit are one exit). The
engine's own flattening orders are judged against the position alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quantrail.core.enums import OrderType
from quantrail.core.orders import Order
from quantrail.risk.modes import FLATTEN_KEY, reduces

if TYPE_CHECKING:
    from quantrail.risk.activity import Activity
    from quantrail.risk.view import RiskView

__all__ = ["OrderContext", "build_context", "pending_quantity", "reference_price"]


@dataclass(frozen=True, slots=True)
class OrderContext:
    """The order and the numbers every rule shares.

    price: what the order is valued at (its limit or stop price, else the last price).
    last_price: the symbol's last traded price (NaN when unknown).
    position: the symbol's position now; projected: if this and same-side working orders fill.
    equity: account equity now. day: the trading-day key frequency limits count against.
    """

    order: Order
    view: RiskView
    activity: Activity
    price: float
    last_price: float
    position: float
    projected: float
    equity: float
    now_ns: int
    day: int

    @property
    def increases(self) -> bool:
        """True when the order may increase the absolute position (an entry)."""
        return not reduces(self.position, self.projected)

    @property
    def flatten(self) -> bool:
        """True for the engine's own flattening orders."""
        return self.order.intent.state.get(FLATTEN_KEY) is True


def reference_price(order: Order, last_price: float) -> float:
    """The price ``order`` is valued at: its limit, else its stop, else the last price."""
    if order.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        return order.limit_price if order.limit_price is not None else math.nan
    if order.order_type is OrderType.STOP:
        return order.stop_price if order.stop_price is not None else math.nan
    return last_price


def pending_quantity(orders: list[Order], include: Order | None = None) -> float:
    """Unsigned quantity that ``orders`` (and ``include``) could still fill, worst case.

    Orders without an OCO group add up; each OCO group adds only its largest leg.
    """
    loose = 0.0
    groups: dict[str, float] = {}
    for o in [*orders, include] if include is not None else orders:
        remaining = o.quantity - o.filled_quantity
        if not math.isfinite(remaining) or remaining <= 0:
            continue  # a malformed quantity is the sanity rule's to refuse, not to count
        if o.oco_group is None:
            loose += remaining
        else:
            groups[o.oco_group] = max(groups.get(o.oco_group, 0.0), remaining)
    return loose + sum(groups.values())


def build_context(order: Order, view: RiskView, activity: Activity, day: int) -> OrderContext:
    """Gather what the rules need. Raises whatever the view raises (the caller fails closed)."""
    portfolio = view.portfolio
    symbol = order.symbol
    # The engine's flattening orders are judged against the position alone: the orders they
    # replace are being canceled (CANCEL_ALL comes first) and may still show as working.
    flatten = order.intent.state.get(FLATTEN_KEY) is True
    same_side = [
        o
        for o in ([] if flatten else view.working_orders(symbol))
        if o.symbol == symbol
        and o.side == order.side
        # A modification is checked as a copy with the same id: do not count it twice.
        and o.client_order_id != order.client_order_id
    ]
    position = portfolio.position(symbol)
    last = portfolio.last_price(symbol)
    return OrderContext(
        order=order,
        view=view,
        activity=activity,
        price=reference_price(order, last),
        last_price=last,
        position=position,
        projected=position + int(order.side) * pending_quantity(same_side, order),
        equity=portfolio.equity(),
        now_ns=view.now_ns(),
        day=day,
    )
