"""Cost models: commission, spread and slippage. Pure functions of their config and inputs."""

from __future__ import annotations

import math

from quantrail.execution.config import CommissionConfig, SlippageConfig

__all__ = ["commission_for", "slippage_fraction"]


def commission_for(cfg: CommissionConfig, filled_quantity: float, filled_notional: float) -> float:
    """Total commission of an order that has filled ``filled_quantity`` for ``filled_notional``.

    Each fill is charged the growth of this total, so minimum, cap and fixed fee apply once per
    order however many partial fills it takes.
    """
    if filled_quantity <= 0:
        return 0.0
    per_share = (
        max(cfg.per_share * filled_quantity, cfg.minimum) if cfg.per_share or cfg.minimum else 0.0
    )
    if cfg.maximum is not None:
        per_share = min(per_share, cfg.maximum)
    return per_share + filled_notional * cfg.percent / 100.0 + cfg.fixed


def slippage_fraction(
    cfg: SlippageConfig, sigma: float, quantity: float, bar_volume: float
) -> float:
    """Slippage as a fraction of price; grows with volatility and with the order's participation.

    Participation is capped at 1: with zero or unknown volume the order is treated as taking the
    whole bar.
    """
    slip = cfg.fixed_bps / 10_000.0
    if sigma > 0 and math.isfinite(sigma):
        slip += cfg.volatility_factor * sigma
        if cfg.impact_factor:
            participation = 1.0 if not bar_volume > 0 else min(quantity / bar_volume, 1.0)
            slip += cfg.impact_factor * sigma * math.sqrt(participation)
    return slip
