"""The port through which a strategy acts. The engine implements it, once per mode."""

from __future__ import annotations

from typing import Protocol

from quantrail.core.orders import Order, OrderIntent
from quantrail.core.ports import PortfolioView

__all__ = ["TradingContext"]


class TradingContext(Protocol):
    """What a strategy may read and do. Nothing here reveals data stamped after ``now_ns``."""

    @property
    def portfolio(self) -> PortfolioView: ...

    def now_ns(self) -> int: ...

    def submit(self, intent: OrderIntent, strategy_id: str) -> Order: ...

    def cancel(self, client_order_id: str) -> None: ...

    def modify(
        self,
        client_order_id: str,
        quantity: float | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
    ) -> None: ...

    def working_orders(self, symbol: str | None = None) -> list[Order]: ...
