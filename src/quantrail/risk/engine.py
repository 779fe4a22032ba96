"""The pre-trade risk hook. Every order intent, and every modification of a working order,
passes here before the order manager sends it.

Rules are small pure functions of a ``RiskInput``: they count nothing and change nothing, so a
rule that refuses an order cannot be fooled by a rule that ran before it. Position and exposure
rules look at the worst case: the position plus every working order on the same side, plus
this one. An order that only reduces the position is never refused by them, so a limit can
never trap a trader in a position.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from quantrail.core.enums import OrderType
from quantrail.core.orders import Order
from quantrail.core.ports import PortfolioView
from quantrail.core.time import parse_duration

__all__ = ["RiskConfig", "RiskEngine", "RiskInput"]


class RiskConfig(BaseModel):
    """Pre-trade limits. ``None`` disables a limit.

    max_order_quantity: largest quantity one order may carry.
    max_order_notional: largest quantity x reference price of one order, in account currency.
    max_position_quantity: largest absolute position per symbol that the order, together with
        the working orders on the same side, may lead to.
    max_gross_exposure: largest sum of |position| x price over all symbols, as a multiple of
        equity, that the order may lead to.
    max_price_age: refuse an order when the symbol's last price is older than this ("3d",
        "5min"): limits priced from stale data are not limits.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_order_quantity: float | None = Field(None, gt=0)
    max_order_notional: float | None = Field(None, gt=0)
    max_position_quantity: float | None = Field(None, gt=0)
    max_gross_exposure: float | None = Field(None, gt=0)
    max_price_age: str | None = None

    @field_validator("max_price_age")
    @classmethod
    def _age_is_duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value


@dataclass(frozen=True, slots=True)
class RiskInput:
    """What a rule may look at."""

    order: Order
    price: float  # the price the order is valued at
    view: PortfolioView
    position: float  # the symbol's position now
    projected: float  # position if this order and same-side working orders all filled
    now_ns: int
    config: RiskConfig


Rule = Callable[[RiskInput], str | None]


def _reference_price(order: Order, view: PortfolioView) -> float:
    if order.order_type is OrderType.LIMIT or order.order_type is OrderType.STOP_LIMIT:
        return order.limit_price if order.limit_price is not None else math.nan
    if order.order_type is OrderType.STOP:
        return order.stop_price if order.stop_price is not None else math.nan
    return view.last_price(order.symbol)


def _reduces(r: RiskInput) -> bool:
    return abs(r.projected) <= abs(r.position) and r.projected * r.position >= 0


def _sane_order(r: RiskInput) -> str | None:
    order = r.order
    if not (math.isfinite(order.quantity) and order.quantity > 0):
        return f"quantity must be a positive finite number, was {order.quantity!r}"
    for name in ("limit_price", "stop_price"):
        value = getattr(order, name)
        if value is not None and not (math.isfinite(value) and value > 0):
            return f"{name} must be a positive finite number, was {value!r}"
    if order.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) and order.limit_price is None:
        return f"a {order.order_type} order needs a limit_price"
    if order.order_type in (OrderType.STOP, OrderType.STOP_LIMIT) and order.stop_price is None:
        return f"a {order.order_type} order needs a stop_price"
    if not (math.isfinite(r.price) and r.price > 0):
        return f"no valid price known for {order.symbol} (last price {r.price!r})"
    return None


def _price_age(r: RiskInput) -> str | None:
    if r.config.max_price_age is None:
        return None
    age = r.now_ns - r.view.last_price_ts(r.order.symbol)
    if age > parse_duration(r.config.max_price_age):
        return (
            f"last price of {r.order.symbol} is {age / 1e9:,.0f}s old, older than "
            f"max_price_age {r.config.max_price_age}: stale data"
        )
    return None


def _order_quantity(r: RiskInput) -> str | None:
    limit = r.config.max_order_quantity
    if limit is not None and r.order.quantity > limit:
        return f"quantity {r.order.quantity} exceeds max_order_quantity {limit}"
    return None


def _order_notional(r: RiskInput) -> str | None:
    limit = r.config.max_order_notional
    notional = r.order.quantity * r.price
    if limit is not None and notional > limit:
        return f"notional {notional:.2f} exceeds max_order_notional {limit}"
    return None


def _position_quantity(r: RiskInput) -> str | None:
    limit = r.config.max_position_quantity
    if limit is None or _reduces(r):
        return None
    if abs(r.projected) > limit:
        return (
            f"position with this and working orders would be {r.projected:g}, beyond "
            f"max_position_quantity {limit}"
        )
    return None


def _gross_exposure(r: RiskInput) -> str | None:
    limit = r.config.max_gross_exposure
    if limit is None or _reduces(r):
        return None
    view = r.view
    equity = view.equity()
    gross = abs(r.projected) * r.price
    for symbol, quantity in view.positions().items():
        if symbol != r.order.symbol:
            gross += abs(quantity) * view.last_price(symbol)
    if equity <= 0 or gross > limit * equity:
        return f"gross exposure {gross:.2f} would exceed {limit} x equity {equity:.2f}"
    return None


_RULES: tuple[tuple[str, Rule], ...] = (
    ("order_sanity", _sane_order),
    ("max_price_age", _price_age),
    ("max_order_quantity", _order_quantity),
    ("max_order_notional", _order_notional),
    ("max_position_quantity", _position_quantity),
    ("max_gross_exposure", _gross_exposure),
)


class RiskEngine:
    """Runs every rule on an order; the first refusal wins and names its rule."""

    def __init__(self, config: RiskConfig | None = None) -> None:
        self.config = config or RiskConfig()

    def check(
        self, order: Order, view: PortfolioView, working: Sequence[Order], now_ns: int
    ) -> tuple[str, str] | None:
        """Return ``(rule, reason)`` when ``order`` must be denied, else None.

        ``working`` are the symbol's other working orders (not ``order`` itself).
        """
        sign = int(order.side)
        pending = sum(
            o.signed_remaining
            for o in working
            if o.symbol == order.symbol and int(o.side) == sign and o is not order
        )
        position = view.position(order.symbol)
        signed = order.quantity * sign if math.isfinite(order.quantity) else 0.0
        risk_input = RiskInput(
            order=order,
            price=_reference_price(order, view),
            view=view,
            position=position,
            projected=position + pending + signed - order.filled_quantity * sign,
            now_ns=now_ns,
            config=self.config,
        )
        for name, rule in _RULES:
            reason = rule(risk_input)
            if reason is not None:
                return name, reason
        return None
