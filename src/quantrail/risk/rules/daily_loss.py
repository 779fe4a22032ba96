"""Daily loss shutoff: realized + unrealized loss since the session started.

The session's starting equity is the equity at the last bar of the previous session (the
previous close marks, as a broker computes daily P&L), or the first equity seen. When the loss
goes beyond ``max_loss_pct`` of it, the engine enters REDUCE_ONLY for the rest of the session:
new entries are refused, exits pass. The next session clears it on its own.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from quantrail.risk.events import RiskEvent

__all__ = ["DailyLossConfig", "DailyLossMonitor"]


class DailyLossConfig(BaseModel, frozen=True, extra="forbid"):
    """max_loss_pct: largest loss within one session as a fraction of its starting equity
    (0.05 = 5 %) before REDUCE_ONLY. ``None`` disables it."""

    max_loss_pct: float | None = Field(0.05, gt=0, lt=1)


class DailyLossMonitor:
    name = "daily_loss"

    def __init__(self, config: DailyLossConfig) -> None:
        self.limit = config.max_loss_pct
        self.start_equity: float | None = None
        self.tripped = False

    def start_session(self, equity: float | None) -> None:
        """A new session begins from ``equity`` (None: from the first equity observed); a trip
        of the last session is forgotten."""
        self.start_equity = equity
        self.tripped = False

    def observe(self, equity: float, ts_ns: int) -> RiskEvent | None:
        """Report once per session when the loss goes beyond the limit."""
        if self.start_equity is None:
            self.start_equity = equity
        start = self.start_equity
        if self.limit is None or self.tripped or start <= 0:
            return None
        loss = (start - equity) / start
        if loss <= self.limit:
            return None
        self.tripped = True
        return RiskEvent(
            ts_ns,
            self.name,
            "reduce_only",
            None,
            f"session loss {loss:.2%} (equity {equity:,.2f} from {start:,.2f}) beyond "
            f"daily_loss.max_loss_pct {self.limit:.2%}: reduce-only until the next session",
            {"loss": loss, "equity": equity, "start_equity": start, "limit": self.limit},
        )
