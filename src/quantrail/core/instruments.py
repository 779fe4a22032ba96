"""Instruments: what can be traded and in which increments."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Instrument"]


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable instrument.

    tick_size: smallest price increment; fill prices are rounded to it against the trader.
    lot_size: smallest quantity increment (1 for US equities, fractional for crypto).
    """

    symbol: str
    tick_size: float = 0.01
    lot_size: float = 1.0
    asset_class: str = "equity"

    def __post_init__(self) -> None:
        if not (self.tick_size > 0 and math.isfinite(self.tick_size)):
            raise ValueError(
                f"instrument {self.symbol}: tick_size must be > 0, was {self.tick_size}"
            )
        if not (self.lot_size > 0 and math.isfinite(self.lot_size)):
            raise ValueError(f"instrument {self.symbol}: lot_size must be > 0, was {self.lot_size}")

    def round_price_up(self, price: float) -> float:
        """Round up to the tick grid (what a buyer pays: never less than the model's price)."""
        ticks = math.ceil(price / self.tick_size - 1e-9)
        return round(ticks * self.tick_size, 10)

    def round_price_down(self, price: float) -> float:
        """Round down to the tick grid (what a seller receives)."""
        ticks = math.floor(price / self.tick_size + 1e-9)
        return round(ticks * self.tick_size, 10)

    def round_quantity(self, quantity: float) -> float:
        """Round a quantity down to the lot grid (never trade more than asked)."""
        lots = math.floor(abs(quantity) / self.lot_size + 1e-9)
        return math.copysign(round(lots * self.lot_size, 10), quantity) if lots else 0.0
