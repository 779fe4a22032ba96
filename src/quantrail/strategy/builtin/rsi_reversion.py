"""RSI mean reversion: buy an oversold close on confirming volume, sell at the rolling mean."""

from __future__ import annotations

from typing import Any, cast

from pydantic import Field

from quantrail.core.bar import Bar
from quantrail.indicators.base import Indicator
from quantrail.indicators.moving_averages import SMA
from quantrail.indicators.oscillators import RSI
from quantrail.strategy.base import Strategy, StrategyParams

__all__ = ["RsiReversion", "RsiReversionParams"]

ENTRY_REASON = "rsi below entry_below on confirming volume"
EXIT_REASON = "close at or above its rolling mean"


class RsiReversionParams(StrategyParams):
    """period: RSI period (>= 2); entry_below: RSI level under which to buy (0 < x < 100);
    exit_mean_period: bars in the SMA of closes the position exits at; volume_period: bars in
    the average volume; min_volume_ratio: the bar's volume must be at least this multiple of
    that average (0 disables the filter); quantity: units bought per entry.
    """

    period: int = Field(14, ge=2)
    entry_below: float = Field(30.0, gt=0, lt=100)
    exit_mean_period: int = Field(20, ge=1)
    volume_period: int = Field(20, ge=1)
    min_volume_ratio: float = Field(1.0, ge=0, allow_inf_nan=False)
    quantity: float = Field(100, gt=0, allow_inf_nan=False)


class RsiReversion(Strategy):
    """Hypothesis: a sharp, well-traded sell-off overshoots, and price reverts to its mean.

    - Universe: every symbol in the run's data, each traded independently.
    - Signal: Wilder's RSI of ``period`` closes; the SMA of ``exit_mean_period`` closes (the
      rolling mean); the bar's volume over the SMA of ``volume_period`` volumes, the current bar
      included (the volume ratio).
    - Entry: when flat, buy ``quantity`` at the next bar if RSI < ``entry_below`` and the volume
      ratio >= ``min_volume_ratio`` (a sell-off on thin volume is not trusted).
    - Exit: sell the whole position at the next bar once the close is >= the rolling mean.
    - Sizing: a fixed ``quantity`` per entry.
    - Constraints: long only; no pyramiding; no decision until RSI, mean and average volume are
      all warm; no new decision while an order of this strategy is working for the symbol; no
      entry whose notional (``quantity`` x close) exceeds the equity. No stop loss: the
      position is held until the close reaches the mean.
    """

    Params = RsiReversionParams
    params: RsiReversionParams

    def on_start(self) -> None:
        self._series: dict[str, tuple[RSI, SMA, SMA]] = {}

    def create_indicators(self) -> dict[str, Indicator]:
        p = self.params
        return {
            "rsi": RSI(p.period),
            "mean": SMA(p.exit_mean_period),
            "avg_volume": SMA(p.volume_period),
        }

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        series = self._series.get(symbol)
        if series is None:
            found = self.indicators(symbol)
            series = (
                cast(RSI, found["rsi"]),
                cast(SMA, found["mean"]),
                cast(SMA, found["avg_volume"]),
            )
            self._series[symbol] = series
        rsi = series[0].update(bar.close)
        mean = series[1].update(bar.close)
        avg_volume = series[2].update(bar.volume)
        if rsi != rsi or mean != mean or avg_volume != avg_volume:  # NaN: still warming up
            return
        ratio = bar.volume / avg_volume if avg_volume > 0 else None
        state: dict[str, Any] = {
            "rsi": rsi,
            "mean": mean,
            "volume_ratio": ratio,
            "close": bar.close,
            "volume": bar.volume,
            "avg_volume": avg_volume,
        }
        if self.working_orders(symbol):
            return  # the last decision is still being executed
        position = self.position(symbol)
        if position > 0:
            if bar.close >= mean:
                self.sell(symbol, position, reason=EXIT_REASON, state=state)
        elif position == 0 and rsi < self.params.entry_below and self._volume_ok(ratio):
            if self.params.quantity * bar.close > self.equity():
                return  # the account can no longer carry one position unlevered
            self.buy(symbol, self.params.quantity, reason=ENTRY_REASON, state=state)

    def _volume_ok(self, ratio: float | None) -> bool:
        minimum = self.params.min_volume_ratio
        if minimum <= 0:
            return True
        return ratio is not None and ratio >= minimum
