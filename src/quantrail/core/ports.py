"""Ports: the Protocols through which siblings talk without importing each other."""

from __future__ import annotations

from typing import Protocol

from quantrail.core.events import Fill
from quantrail.core.order_state import OrderEventKind
from quantrail.core.orders import Order

__all__ = ["Clock", "ExecutionVenue", "PortfolioView", "VenueListener"]


class Clock(Protocol):
    """The only source of time. Backtests advance it by events; live reads the wall clock."""

    def now_ns(self) -> int: ...


class PortfolioView(Protocol):
    """Read-only view of the portfolio for risk rules and strategies."""

    @property
    def cash(self) -> float: ...

    def position(self, symbol: str) -> float: ...

    def average_price(self, symbol: str) -> float: ...

    def last_price(self, symbol: str) -> float: ...

    def last_price_ts(self, symbol: str) -> int: ...

    def equity(self) -> float: ...

    def positions(self) -> dict[str, float]: ...


class VenueListener(Protocol):
    """Receives what a venue reports back: fills and status changes (acks, cancels, expiry)."""

    def on_venue_fill(self, order: Order, fill: Fill) -> None: ...

    def on_venue_event(self, order: Order, kind: OrderEventKind, ts: int, reason: str) -> None: ...


class ExecutionVenue(Protocol):
    """Where orders go: the fill simulator in backtest and paper, a broker adapter live."""

    def submit(self, order: Order) -> None: ...

    def cancel(self, order: Order) -> None: ...

    def modify(
        self,
        order: Order,
        quantity: float | None,
        limit_price: float | None,
        stop_price: float | None,
    ) -> None: ...
