"""Entry validation: refuse new exposure into a wide spread, a thin bar or a closed market.

Only entries are checked (orders that may increase the absolute position); exits always pass,
so bad market conditions never trap a position.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import PreTradeRule, describe

__all__ = ["EntryConfig", "MarketHoursRule", "SpreadRule", "VolumeFloorRule", "entry_rules"]


class EntryConfig(BaseModel, frozen=True, extra="forbid"):
    """Market conditions an entry needs. ``None``/``false`` disables a check.

    max_spread_bps: widest quoted spread, (ask - bid) / mid in basis points, of the symbol's last
        bar. Checked only when the bar carries a bid and an ask.
    min_bar_volume: smallest volume of the symbol's last bar. With no bar known the entry is
        refused (the rule cannot evaluate).
    deny_when_market_closed: refuse entries while the calendar says the market is closed. Off by
        default because a daily-bar backtest decides after the close and fills at the next
        open; an unknown calendar (the view returns None) never refuses.
    """

    max_spread_bps: float | None = Field(None, gt=0)
    min_bar_volume: float | None = Field(None, ge=0)
    deny_when_market_closed: bool = False


class SpreadRule:
    name = "max_spread_bps"

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def check(self, ctx: OrderContext) -> Denial | None:
        if not ctx.increases:
            return None
        bar = ctx.view.last_bar(ctx.order.symbol)
        if bar is None or not (math.isfinite(bar.bid) and math.isfinite(bar.ask)):
            return None  # no quote: nothing to measure, the bar's close priced the order
        mid = (bar.bid + bar.ask) / 2
        spread = (bar.ask - bar.bid) / mid * 1e4 if mid > 0 else math.inf
        if not spread <= self.limit:
            return Denial(
                self.name,
                f"{describe(ctx)}: spread {spread:.1f} bps (bid {bar.bid:g}, ask {bar.ask:g}) "
                f"wider than max_spread_bps {self.limit:g}",
                {"spread_bps": spread, "bid": bar.bid, "ask": bar.ask},
                self.limit,
            )
        return None


class VolumeFloorRule:
    name = "min_bar_volume"

    def __init__(self, floor: float) -> None:
        self.floor = floor

    def check(self, ctx: OrderContext) -> Denial | None:
        if not ctx.increases:
            return None
        bar = ctx.view.last_bar(ctx.order.symbol)
        volume = math.nan if bar is None else bar.volume
        if not volume >= self.floor:  # NaN (no bar, no volume) is refused too
            return Denial(
                self.name,
                f"{describe(ctx)}: last bar volume {volume:g} below min_bar_volume {self.floor:g}",
                {"volume": volume},
                self.floor,
            )
        return None


class MarketHoursRule:
    name = "market_closed"

    def check(self, ctx: OrderContext) -> Denial | None:
        if not ctx.increases:
            return None
        if ctx.view.is_market_open(ctx.order.symbol, ctx.now_ns) is False:
            return Denial(
                self.name,
                f"{describe(ctx)}: the market for {ctx.order.symbol} is closed at "
                f"{ctx.now_ns} (deny_when_market_closed)",
                {"ts_ns": float(ctx.now_ns)},
                None,
            )
        return None


def entry_rules(config: EntryConfig) -> list[PreTradeRule]:
    """The entry checks ``config`` switches on."""
    rules: list[PreTradeRule] = []
    if config.max_spread_bps is not None:
        rules.append(SpreadRule(config.max_spread_bps))
    if config.min_bar_volume is not None:
        rules.append(VolumeFloorRule(config.min_bar_volume))
    if config.deny_when_market_closed:
        rules.append(MarketHoursRule())
    return rules
