"""Z-score reversion: fade an extreme one-bar return, close once returns are ordinary again."""

from __future__ import annotations

import math
from typing import Any, cast

from pydantic import Field, model_validator

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderType
from quantrail.indicators.base import Indicator
from quantrail.indicators.oscillators import ZScore
from quantrail.strategy.base import Strategy, StrategyParams

__all__ = ["ZScoreReversion", "ZScoreReversionParams"]

LONG_REASON = "return z <= -entry_z: buy the drop"
SHORT_REASON = "return z >= +entry_z: sell the spike"
EXIT_REASON = "|return z| <= exit_z: reverted"


class ZScoreReversionParams(StrategyParams):
    """lookback: returns in the z-score window (>= 3); entry_z: |z| that opens a position
    (> 0, reachable: < sqrt(lookback - 1)); exit_z: |z| at or under which the position closes
    (0 <= exit_z < entry_z); cooldown: bars after an exit before a new entry; quantity: units
    per position; allow_short: also sell short on +entry_z.
    """

    lookback: int = Field(20, ge=3)
    entry_z: float = Field(2.0, gt=0, allow_inf_nan=False)
    exit_z: float = Field(0.5, ge=0, allow_inf_nan=False)
    cooldown: int = Field(5, ge=0)
    quantity: float = Field(100, gt=0, allow_inf_nan=False)
    allow_short: bool = True

    @model_validator(mode="after")
    def _thresholds_consistent(self) -> ZScoreReversionParams:
        if self.exit_z >= self.entry_z:
            raise ValueError(f"exit_z ({self.exit_z}) must be less than entry_z ({self.entry_z})")
        # The newest of n values is at most sqrt(n - 1) population deviations from their mean.
        bound = math.sqrt(self.lookback - 1)
        if self.entry_z >= bound:
            raise ValueError(
                f"entry_z ({self.entry_z}) can never be reached with lookback ({self.lookback}):"
                f" |z| of the newest of {self.lookback} returns is at most sqrt(lookback - 1) ="
                f" {bound:.3f}"
            )
        return self


class ZScoreReversion(Strategy):
    """Hypothesis: a one-bar return far outside its recent distribution overshoots and reverts.

    - Universe: every symbol in the run's data, each traded independently.
    - Signal: z = (r - mean) / std of the simple close-to-close return r over the last
      ``lookback`` returns, r included (population std; z = 0 when every return is equal).
    - Entry: from flat, target +``quantity`` at the next bar when z <= -``entry_z``; target
      -``quantity`` when z >= +``entry_z`` and ``allow_short``. No entry within ``cooldown`` bars
      after the bar that decided an exit.
    - Exit: target 0 when |z| <= ``exit_z``. An opposite extreme while in a position is not an
      exit: the position waits for |z| <= ``exit_z``.
    - Sizing: a fixed ``quantity`` per position.
    - Constraints: one position per symbol; orders only through ``target_position`` (market
      orders, pending ones counted); no decision until ``lookback`` returns exist; no entry
      whose notional (``quantity`` x close) exceeds the equity, so a depleted account stops
      opening positions instead of trading itself below zero.
    """

    Params = ZScoreReversionParams
    params: ZScoreReversionParams

    def on_start(self) -> None:
        self._zscores: dict[str, ZScore] = {}
        self._prev_close: dict[str, float] = {}
        self._bar_index: dict[str, int] = {}
        self._last_exit: dict[str, int] = {}

    def create_indicators(self) -> dict[str, Indicator]:
        return {"z": ZScore(self.params.lookback)}

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        index = self._bar_index[symbol] = self._bar_index.get(symbol, -1) + 1
        prev = self._prev_close.get(symbol)
        self._prev_close[symbol] = bar.close
        if prev is None or prev == 0:
            return
        zscore = self._zscores.get(symbol)
        if zscore is None:
            zscore = self._zscores[symbol] = cast(ZScore, self.indicators(symbol)["z"])
        ret = bar.close / prev - 1.0
        z = zscore.update(ret)
        if z != z:  # NaN: fewer than lookback returns so far
            return
        p = self.params
        held = self._intended_position(symbol)
        last_exit = self._last_exit.get(symbol)
        state: dict[str, Any] = {
            "z": z,
            "return": ret,
            "close": bar.close,
            "position": held,
            "bars_since_exit": None if last_exit is None else index - last_exit,
        }
        if abs(held) > 1e-9:
            if abs(z) <= p.exit_z:
                self.target_position(symbol, 0, reason=EXIT_REASON, state=state)
                self._last_exit[symbol] = index
            return
        if last_exit is not None and index - last_exit <= p.cooldown:
            return
        if p.quantity * bar.close > self.equity():
            return  # the account can no longer carry one position unlevered
        if z <= -p.entry_z:
            self.target_position(symbol, p.quantity, reason=LONG_REASON, state=state)
        elif z >= p.entry_z and p.allow_short:
            self.target_position(symbol, -p.quantity, reason=SHORT_REASON, state=state)

    def _intended_position(self, symbol: str) -> float:
        """The position plus working market orders: where ``target_position`` is heading."""
        pending = sum(
            o.signed_remaining
            for o in self.working_orders(symbol)
            if o.order_type is OrderType.MARKET
        )
        return self.position(symbol) + pending
