"""Domain model: no I/O, imports no other quantrail package."""

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderStatus, OrderType, Side, TimeInForce
from quantrail.core.errors import (
    ConfigError,
    DataError,
    InvariantViolation,
    QuantrailError,
    StrategyError,
)
from quantrail.core.events import CorporateAction, Fill, OrderUpdate
from quantrail.core.instruments import Instrument
from quantrail.core.order_state import OrderEventKind
from quantrail.core.orders import Order, OrderIntent

__all__ = [
    "Bar",
    "ConfigError",
    "CorporateAction",
    "DataError",
    "Fill",
    "Instrument",
    "InvariantViolation",
    "Order",
    "OrderEventKind",
    "OrderIntent",
    "OrderStatus",
    "OrderType",
    "OrderUpdate",
    "QuantrailError",
    "Side",
    "StrategyError",
    "TimeInForce",
]
