"""Position sizing helpers. Each returns a quantity rounded down to the lot size (never more)."""

from __future__ import annotations

import math

__all__ = ["fixed_quantity", "percent_of_equity", "risk_per_trade", "volatility_target"]


def _round_down(quantity: float, lot_size: float) -> float:
    if not math.isfinite(quantity) or quantity <= 0:
        return 0.0
    return math.floor(quantity / lot_size + 1e-9) * lot_size


def _require_price(price: float, name: str = "price") -> None:
    if not (math.isfinite(price) and price > 0):
        raise ValueError(f"{name} must be a positive number, was {price!r}")


def fixed_quantity(quantity: float, lot_size: float = 1.0) -> float:
    """A constant quantity, rounded down to the lot size."""
    return _round_down(quantity, lot_size)


def percent_of_equity(equity: float, pct: float, price: float, lot_size: float = 1.0) -> float:
    """Quantity worth ``pct`` (a fraction, 0.1 = 10 %) of equity at ``price``."""
    _require_price(price)
    if not 0 <= pct <= 10:
        raise ValueError(f"pct is a fraction of equity (0.1 = 10 %), was {pct!r}")
    return _round_down(equity * pct / price, lot_size)


def volatility_target(
    equity: float,
    target_volatility: float,
    asset_volatility: float,
    price: float,
    lot_size: float = 1.0,
    max_leverage: float = 1.0,
) -> float:
    """Quantity whose position volatility is ``target_volatility`` of equity.

    Both volatilities must be on the same scale (e.g. annualised). The notional is capped at
    ``max_leverage`` x equity so a near-zero volatility estimate cannot size a huge position.
    """
    _require_price(price)
    if not (math.isfinite(asset_volatility) and asset_volatility > 0):
        return 0.0
    notional = min(equity * target_volatility / asset_volatility, equity * max_leverage)
    return _round_down(notional / price, lot_size)


def risk_per_trade(
    equity: float, risk_pct: float, entry_price: float, stop_price: float, lot_size: float = 1.0
) -> float:
    """Quantity that loses ``risk_pct`` (a fraction) of equity if the stop is hit.

    quantity = equity x risk% / |entry - stop|.
    """
    _require_price(entry_price, "entry_price")
    _require_price(stop_price, "stop_price")
    distance = abs(entry_price - stop_price)
    if distance == 0:
        raise ValueError("stop_price equals entry_price: the stop distance must be non-zero")
    return _round_down(equity * risk_pct / distance, lot_size)
