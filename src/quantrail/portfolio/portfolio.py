"""Cash, positions and P&L, built only from fill events.

Average-cost accounting: a fill that adds to a position moves its average price; a fill that
reduces it realizes (fill price - average price) x quantity; a fill that crosses zero realizes
the closing part and opens the remainder at the fill price. Commissions reduce cash and are
tracked as fees, separate from realized price P&L.
"""

from __future__ import annotations

import math

from quantrail.core.errors import InvariantViolation
from quantrail.core.events import Fill

__all__ = ["Portfolio", "Position"]

_EPS = 1e-9


class Position:
    """Net position in one symbol."""

    __slots__ = ("average_price", "quantity", "realized_pnl", "symbol")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.quantity = 0.0
        self.average_price = 0.0
        self.realized_pnl = 0.0

    def apply(self, signed_quantity: float, price: float) -> float:
        """Apply a fill and return the price P&L it realized."""
        old = self.quantity
        new = old + signed_quantity
        realized = 0.0
        if old == 0.0 or (old > 0) == (signed_quantity > 0):
            # Opening or adding: the average price moves towards the fill price.
            self.average_price = (self.average_price * old + price * signed_quantity) / new
        else:
            closed = min(abs(signed_quantity), abs(old))
            realized = closed * (price - self.average_price) * (1.0 if old > 0 else -1.0)
            if abs(new) < _EPS:
                new = 0.0
                self.average_price = 0.0
            elif (new > 0) != (old > 0):
                self.average_price = price  # flipped: the remainder opens at the fill price
        self.quantity = new
        self.realized_pnl += realized
        return realized


class Portfolio:
    """The account: cash, positions, fees and the last known price of each symbol.

    Implements the ``PortfolioView`` port for risk rules and strategies.
    """

    def __init__(self, starting_cash: float) -> None:
        if not (math.isfinite(starting_cash) and starting_cash > 0):
            raise ValueError(f"starting cash must be a positive number, was {starting_cash!r}")
        self.starting_cash = starting_cash
        self._cash = starting_cash
        self.fees = 0.0
        self.dividends = 0.0
        self.realized_pnl = 0.0
        self.turnover = 0.0
        self._positions: dict[str, Position] = {}
        # Written by the engine once per event; read when equity is asked for.
        self.last_prices: dict[str, float] = {}
        self.last_price_times: dict[str, int] = {}

    @property
    def cash(self) -> float:
        return self._cash

    def apply_fill(self, fill: Fill) -> None:
        if not (fill.quantity > 0 and math.isfinite(fill.price) and fill.price > 0):
            raise InvariantViolation(
                f"fill {fill.fill_id} for {fill.symbol} has quantity {fill.quantity} and price "
                f"{fill.price}: refusing to book it"
            )
        position = self._positions.get(fill.symbol)
        if position is None:
            position = self._positions[fill.symbol] = Position(fill.symbol)
        signed = fill.quantity * int(fill.side)
        self.realized_pnl += position.apply(signed, fill.price)
        notional = fill.quantity * fill.price
        self._cash -= signed * fill.price + fill.commission
        self.fees += fill.commission
        self.turnover += notional

    def apply_split(self, symbol: str, ratio: float) -> float:
        """Multiply the position by ``ratio`` and divide its average price; return the change.

        Cash does not move: a split changes the number of shares, not their value.
        """
        position = self._positions.get(symbol)
        if position is None or position.quantity == 0:
            return 0.0
        before = position.quantity
        position.quantity = before * ratio
        position.average_price /= ratio
        return position.quantity - before

    def apply_dividend(self, symbol: str, per_share: float) -> float:
        """Credit (long) or debit (short) ``per_share`` x position in cash; return the amount."""
        amount = self.position(symbol) * per_share
        self._cash += amount
        self.dividends += amount
        return amount

    def position(self, symbol: str) -> float:
        position = self._positions.get(symbol)
        return 0.0 if position is None else position.quantity

    def average_price(self, symbol: str) -> float:
        position = self._positions.get(symbol)
        return math.nan if position is None or position.quantity == 0 else position.average_price

    def last_price(self, symbol: str) -> float:
        return self.last_prices.get(symbol, math.nan)

    def last_price_ts(self, symbol: str) -> int:
        """When the last price of ``symbol`` was recorded (UTC ns); -1 when never."""
        return self.last_price_times.get(symbol, -1)

    def positions(self) -> dict[str, float]:
        return {s: p.quantity for s, p in self._positions.items() if p.quantity != 0.0}

    def market_value(self) -> float:
        total = 0.0
        for symbol, position in self._positions.items():
            if position.quantity:
                total += position.quantity * self.last_prices[symbol]
        return total

    def unrealized_pnl(self) -> float:
        return sum(
            p.quantity * (self.last_prices[s] - p.average_price)
            for s, p in self._positions.items()
            if p.quantity
        )

    def equity(self) -> float:
        return self._cash + self.market_value()
