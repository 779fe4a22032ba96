"""Correlation guard: highly correlated positions count as one exposure for max_position_pct.

For an entry in symbol A, every other held symbol B whose recent return correlation with A is
above ``threshold`` in absolute value joins A's group, signed by the correlation (a short in a
symbol moving opposite to A adds to a long in A). The group's net exposure,
``|Σ sign(ρ) × signed notional|``, must stay within ``max_position_pct`` of equity. Symbols with
fewer than ``min_observations`` common returns are treated as uncorrelated: an unknown
correlation cannot be shown to concentrate risk.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, Field

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe

__all__ = ["CorrelationConfig", "CorrelationRule", "correlation"]


class CorrelationConfig(BaseModel, frozen=True, extra="forbid"):
    """threshold: |correlation| above which two symbols are one exposure (0.8); ``None`` (the
        default) disables the guard. Needs ``max_position_pct``.
    window: how many recent close-to-close returns to correlate.
    min_observations: fewest common returns for a correlation to count.
    """

    threshold: float | None = Field(None, gt=0, le=1)
    window: int = Field(60, ge=2)
    min_observations: int = Field(20, ge=2)


def correlation(a: np.ndarray, b: np.ndarray, min_observations: int) -> float:
    """Pearson correlation of the common tail of ``a`` and ``b``; NaN when undefined."""
    n = min(len(a), len(b))
    if n < min_observations:
        return math.nan
    x, y = np.asarray(a[-n:], dtype=float), np.asarray(b[-n:], dtype=float)
    if not (np.isfinite(x).all() and np.isfinite(y).all()) or x.std() == 0 or y.std() == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


class CorrelationRule:
    name = "correlated_exposure"

    def __init__(self, config: CorrelationConfig, max_pct: float) -> None:
        self.threshold = config.threshold or 1.0
        self.window = config.window
        self.min_observations = config.min_observations
        self.max_pct = max_pct

    @classmethod
    def build(cls, config: CorrelationConfig, max_pct: float | None) -> CorrelationRule | None:
        if config.threshold is None or max_pct is None:
            return None
        return cls(config, max_pct)

    def check(self, ctx: OrderContext) -> Denial | None:
        if not ctx.increases:
            return None
        view = ctx.view
        portfolio = view.portfolio
        symbol = ctx.order.symbol
        others = {s: q for s, q in portfolio.positions().items() if s != symbol}
        if not others:
            return None
        net = ctx.projected * ctx.price
        members: list[str] = []
        for other, quantity in sorted(others.items()):
            mine, theirs = view.aligned_returns(symbol, other, self.window)
            rho = correlation(mine, theirs, self.min_observations)
            if abs(rho) > self.threshold:  # NaN compares False: uncorrelated
                net += math.copysign(1.0, rho) * quantity * portfolio.last_price(other)
                members.append(f"{other} ({rho:+.2f})")
        if not members:
            return None
        exposure = abs(net)
        if ctx.equity <= 0 or not exposure <= self.max_pct * ctx.equity:
            return Denial(
                self.name,
                f"{describe(ctx)}: with correlated {', '.join(members)} the exposure would be "
                f"{exposure:,.2f}, beyond max_position_pct {self.max_pct:.2%} of equity "
                f"{ctx.equity:,.2f}",
                {"exposure": exposure, "equity": ctx.equity, "members": ", ".join(members)},
                self.max_pct,
            )
        return None
