"""Execution simulator settings: what fills and costs the backtest assumes.

The defaults are not free: a run that names no costs still pays a per-share commission, a
one-basis-point spread and two basis points of slippage, and may take at most a tenth of a bar's
volume. Set a cost to zero explicitly to remove it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from quantrail.core.time import parse_duration

__all__ = ["CommissionConfig", "ExecutionConfig", "SlippageConfig"]


class CommissionConfig(BaseModel):
    """Commission per order, charged on each fill as the order's running total grows.

    per_share: currency per share/unit filled.
    minimum: floor of the per-share part, per order (applies from the order's first fill).
    maximum: cap of the per-share part, per order, in currency (None: no cap).
    percent: percent of filled notional (0.1 means 0.1 %).
    fixed: currency per order, charged with its first fill.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_share: float = Field(0.005, ge=0)
    minimum: float = Field(1.0, ge=0)
    maximum: float | None = Field(None, ge=0)
    percent: float = Field(0.0, ge=0, le=100)
    fixed: float = Field(0.0, ge=0)


class SlippageConfig(BaseModel):
    """Slippage on marketable fills, as a fraction of the reference price.

    slippage = fixed_bps / 10_000
             + volatility_factor x sigma
             + impact_factor x sigma x sqrt(quantity / bar volume)

    sigma is the standard deviation (ddof 1) of the symbol's bar-to-bar close returns over the
    ``volatility_window`` bars before the fill's bar, so it uses no data from the fill's bar.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    fixed_bps: float = Field(2.0, ge=0)
    volatility_factor: float = Field(0.1, ge=0)
    impact_factor: float = Field(0.1, ge=0)
    volatility_window: int = Field(20, ge=2)


class ExecutionConfig(BaseModel):
    """How the fill simulator fills orders.

    cash: starting cash in account currency.
    fill: ``next_open`` fills market orders at the open of the first bar after the decision;
        ``next_close`` at that bar's close.
    commission, slippage: see their classes.
    spread_bps: full quoted spread in basis points, used when the data has no bid/ask; a
        marketable order pays half of it. With bid/ask data the last known quote's spread is used.
    latency: time from decision to the order reaching the venue ("0s", "250ms", "1s"); an order
        can fill only from the first bar that opens at or after that moment. A market order that
        arrives inside a bar fills at that bar's close, the first price known to trade after it.
    max_volume_share: most of a bar's volume all orders together may take (None: no cap); the
        rest stays working, or is canceled for ioc, or the whole order for fok.
    limit_fill_on_touch: fill a limit when the price only touches it (default: it must trade
        through).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    cash: float = Field(100_000.0, gt=0)
    fill: Literal["next_open", "next_close"] = "next_open"
    commission: CommissionConfig = CommissionConfig()
    spread_bps: float = Field(1.0, ge=0)
    slippage: SlippageConfig = SlippageConfig()
    latency: str = "0s"
    max_volume_share: float | None = Field(0.1, gt=0, le=1)
    limit_fill_on_touch: bool = False

    @field_validator("latency", mode="before")
    @classmethod
    def _latency_is_duration(cls, value: object) -> str:
        text = (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )
        if not isinstance(text, str):
            raise ValueError(f"latency must be a duration like '250ms', got {value!r}")
        if text.replace(".", "", 1).isdigit():
            text = f"{text}s"
        parse_duration(text)
        return text

    @property
    def latency_ns(self) -> int:
        return parse_duration(self.latency)
