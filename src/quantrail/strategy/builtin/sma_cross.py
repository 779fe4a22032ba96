"""Moving-average crossover, the reference trend-following strategy."""

from __future__ import annotations

from pydantic import Field, model_validator

from quantrail.core.bar import Bar
from quantrail.indicators.base import Indicator
from quantrail.indicators.moving_averages import SMA
from quantrail.strategy.base import Strategy, StrategyParams

__all__ = ["SmaCross", "SmaCrossParams"]


class SmaCrossParams(StrategyParams):
    """fast, slow: SMA periods in bars (fast < slow); quantity: shares per entry."""

    fast: int = Field(20, ge=1)
    slow: int = Field(50, ge=2)
    quantity: float = Field(100, gt=0)

    @model_validator(mode="after")
    def _fast_below_slow(self) -> SmaCrossParams:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be less than slow ({self.slow})")
        return self


class SmaCross(Strategy):
    """Hypothesis: a short average crossing a long one marks a trend that persists.

    - Universe: every symbol in the run's data, each traded independently.
    - Signal: the SMA of ``fast`` closes crosses above the SMA of ``slow`` closes.
    - Entry: buy ``quantity`` at the next bar when fast crosses above slow and the symbol is flat.
    - Exit: sell the whole position when fast crosses below slow.
    - Sizing: a fixed ``quantity`` per entry.
    - Constraints: long only; no pyramiding; a cross is only counted after both averages exist.
    """

    Params = SmaCrossParams
    params: SmaCrossParams

    def on_start(self) -> None:
        self._above: dict[str, bool | None] = {}
        self._averages: dict[str, tuple[SMA, SMA]] = {}

    def create_indicators(self) -> dict[str, Indicator]:
        return {"fast": SMA(self.params.fast), "slow": SMA(self.params.slow)}

    def on_bar(self, bar: Bar) -> None:
        averages = self._averages.get(bar.symbol)
        if averages is None:
            found = self.indicators(bar.symbol)
            fast_sma, slow_sma = found["fast"], found["slow"]
            if not (isinstance(fast_sma, SMA) and isinstance(slow_sma, SMA)):
                raise TypeError("create_indicators must return SMA indicators for fast and slow")
            averages = self._averages[bar.symbol] = (fast_sma, slow_sma)
        fast = averages[0].update(bar.close)
        slow = averages[1].update(bar.close)
        if slow != slow:  # NaN: the slow average is still warming up
            return
        above = fast > slow
        was_above = self._above.get(bar.symbol)
        self._above[bar.symbol] = above
        if was_above is None or above == was_above:
            return
        state = {"fast": fast, "slow": slow, "close": bar.close}
        position = self.position(bar.symbol)
        if above and position == 0:
            self.buy(
                bar.symbol, self.params.quantity, reason="fast crossed above slow", state=state
            )
        elif not above and position > 0:
            self.sell(bar.symbol, position, reason="fast crossed below slow", state=state)
