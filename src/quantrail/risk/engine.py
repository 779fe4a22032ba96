"""The pre-trade risk hook. Every order intent passes here before the order manager sends it.

Rules are small pure functions of (order, portfolio view, config): they count nothing and change
nothing, so a rule that refuses an order cannot be fooled by a rule that ran before it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from quantrail.core.enums import OrderType
from quantrail.core.orders import Order
from quantrail.core.ports import PortfolioView

__all__ = ["RiskConfig", "RiskEngine"]


class RiskConfig(BaseModel):
    """Pre-trade limits. ``None`` disables a limit.

    max_order_quantity: largest quantity one order may carry.
    max_order_notional: largest quantity x reference price of one order, in account currency.
    max_position_quantity: largest absolute position per symbol the order may lead to.
    max_gross_exposure: largest sum of |position| x price over all symbols as a multiple of equity.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_order_quantity: float | None = Field(None, gt=0)
    max_order_notional: float | None = Field(None, gt=0)
    max_position_quantity: float | None = Field(None, gt=0)
    max_gross_exposure: float | None = Field(None, gt=0)


Rule = Callable[[Order, float, PortfolioView, RiskConfig], str | None]


def _reference_price(order: Order, view: PortfolioView) -> float:
    if order.order_type is OrderType.LIMIT or order.order_type is OrderType.STOP_LIMIT:
        return order.limit_price if order.limit_price is not None else math.nan
    if order.order_type is OrderType.STOP:
        return order.stop_price if order.stop_price is not None else math.nan
    return view.last_price(order.symbol)


def _sane_order(order: Order, price: float, view: PortfolioView, cfg: RiskConfig) -> str | None:
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
    if not (math.isfinite(price) and price > 0):
        return (
            f"no valid price known for {order.symbol} (last price {price!r}): stale or missing data"
        )
    return None


def _order_quantity(order: Order, price: float, view: PortfolioView, cfg: RiskConfig) -> str | None:
    if cfg.max_order_quantity is not None and order.quantity > cfg.max_order_quantity:
        return f"quantity {order.quantity} exceeds max_order_quantity {cfg.max_order_quantity}"
    return None


def _order_notional(order: Order, price: float, view: PortfolioView, cfg: RiskConfig) -> str | None:
    if cfg.max_order_notional is not None and order.quantity * price > cfg.max_order_notional:
        return (
            f"notional {order.quantity * price:.2f} exceeds max_order_notional "
            f"{cfg.max_order_notional}"
        )
    return None


def _position_quantity(
    order: Order, price: float, view: PortfolioView, cfg: RiskConfig
) -> str | None:
    if cfg.max_position_quantity is None:
        return None
    after = view.position(order.symbol) + order.quantity * int(order.side)
    if abs(after) > cfg.max_position_quantity:
        limit = cfg.max_position_quantity
        return f"position after order {after} exceeds max_position_quantity {limit}"
    return None


def _gross_exposure(order: Order, price: float, view: PortfolioView, cfg: RiskConfig) -> str | None:
    if cfg.max_gross_exposure is None:
        return None
    equity = view.equity()
    gross = 0.0
    for symbol, quantity in view.positions().items():
        if symbol != order.symbol:
            gross += abs(quantity) * view.last_price(symbol)
    after = view.position(order.symbol) + order.quantity * int(order.side)
    gross += abs(after) * price
    if equity <= 0 or gross > cfg.max_gross_exposure * equity:
        limit = cfg.max_gross_exposure
        return f"gross exposure {gross:.2f} would exceed {limit} x equity {equity:.2f}"
    return None


_RULES: tuple[tuple[str, Rule], ...] = (
    ("order_sanity", _sane_order),
    ("max_order_quantity", _order_quantity),
    ("max_order_notional", _order_notional),
    ("max_position_quantity", _position_quantity),
    ("max_gross_exposure", _gross_exposure),
)


class RiskEngine:
    """Runs every rule on an order; the first refusal wins and names its rule."""

    def __init__(self, config: RiskConfig | None = None) -> None:
        self.config = config or RiskConfig()

    def check(self, order: Order, view: PortfolioView) -> tuple[str, str] | None:
        """Return ``(rule, reason)`` when the order must be denied, else None."""
        price = _reference_price(order, view)
        for name, rule in _RULES:
            reason = rule(order, price, view, self.config)
            if reason is not None:
                return name, reason
        return None
