"""Drawdown circuit breaker: equity too far below its peak halts trading, latched.

When equity falls more than ``max_drawdown`` below the highest equity seen, the engine cancels
every order, flattens every position and enters HALTED, persisted in the state store; only an
operator's ``resume(actor, confirm=True)`` clears it, and the peak restarts from the equity at
that moment (else the breaker would fire again at once).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from quantrail.risk.events import RiskEvent

__all__ = ["DrawdownBreaker", "DrawdownConfig"]


class DrawdownConfig(BaseModel, frozen=True, extra="forbid"):
    """max_drawdown: largest fall from the equity peak, as a fraction of the peak
    (0.15 = 15 %), before the breaker halts and flattens. ``None`` disables it."""

    max_drawdown: float | None = Field(0.15, gt=0, lt=1)


class DrawdownBreaker:
    name = "drawdown"

    def __init__(self, config: DrawdownConfig, peak: float | None = None) -> None:
        self.limit = config.max_drawdown
        self.peak = peak
        self.tripped = False

    def reset(self, equity: float | None) -> None:
        """Start again from ``equity`` (None: from the next equity observed)."""
        self.peak = equity
        self.tripped = False

    def observe(self, equity: float, ts_ns: int) -> RiskEvent | None:
        """Track the peak; report once when the drawdown goes beyond the limit."""
        if self.peak is None or equity > self.peak:
            self.peak = equity
        peak = self.peak
        if self.limit is None or self.tripped or peak <= 0:
            return None
        drawdown = (peak - equity) / peak  # not 1 - equity/peak: that rounds 15 % to above 15 %
        if drawdown <= self.limit:
            return None
        self.tripped = True
        return RiskEvent(
            ts_ns,
            self.name,
            "halt",
            None,
            f"drawdown {drawdown:.2%} (equity {equity:,.2f} from peak {peak:,.2f}) beyond "
            f"drawdown.max_drawdown {self.limit:.2%}: cancel all, flatten, halt",
            {"drawdown": drawdown, "equity": equity, "peak": peak, "limit": self.limit},
        )
