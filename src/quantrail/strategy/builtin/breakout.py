"""Donchian channel breakout with a trailing ATR stop, sized by risk per trade."""

from __future__ import annotations

import math
from collections import deque
from typing import Any, cast

from pydantic import Field

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderStatus, OrderType
from quantrail.core.events import Fill
from quantrail.core.orders import Order
from quantrail.indicators.base import Indicator
from quantrail.indicators.volatility import ATR
from quantrail.strategy.base import Strategy, StrategyParams

__all__ = ["Breakout", "BreakoutParams"]

ENTRY_REASON = "close above previous channel high"
STOP_REASON = "atr stop"
EXIT_REASON = "close below previous exit-channel low"

# Orders a cancel or replace may be sent for: resting, or with a replace still in flight
# (the venue merges a second replace into the first; a cancel supersedes it).
_CHANGEABLE = frozenset(
    {
        OrderStatus.SUBMITTED,
        OrderStatus.ACCEPTED,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.PENDING_REPLACE,
    }
)


class BreakoutParams(StrategyParams):
    """channel: bars in the entry channel (previous highs); exit_channel: bars in the exit
    channel (previous lows); atr_period: ATR period; atr_multiple: stop distance in ATRs;
    risk_pct: fraction of equity risked per trade (0 < x <= 1); max_quantity: optional cap on
    the units of one entry.
    """

    channel: int = Field(20, ge=1)
    exit_channel: int = Field(10, ge=1)
    atr_period: int = Field(14, ge=1)
    atr_multiple: float = Field(2.0, gt=0, allow_inf_nan=False)
    risk_pct: float = Field(0.01, gt=0, le=1)
    max_quantity: float | None = Field(None, ge=1, allow_inf_nan=False)


class Breakout(Strategy):
    """Hypothesis: a close beyond the recent range starts a trend that runs further.

    - Universe: every symbol in the run's data, each traded independently.
    - Signal: the highest high of the ``channel`` bars before the current one (the current bar
      is excluded, or a close could never exceed a channel that contains its own high); the
      lowest low of the ``exit_channel`` bars before the current one; ATR(``atr_period``).
    - Entry: when flat, buy at the next bar when the close > the previous channel high.
    - Exit: a sell stop, placed when the entry fills at fill price - ``atr_multiple`` x ATR (the
      ATR that sized the trade) and trailed up to close - ``atr_multiple`` x ATR after each bar,
      never down; or, when the close < the previous exit-channel low, cancel the stop and sell
      at the next bar.
    - Sizing: floor(equity x ``risk_pct`` / (``atr_multiple`` x ATR)) units, at most
      ``max_quantity``; no entry when that is below one unit or the ATR is zero.
    - Constraints: long only; no pyramiding; no entry until both the channel and the ATR are
      warm; no new entry while an order of this strategy is working for the symbol. Sizing does
      not cap notional at equity: use the ``risk`` config (e.g. ``max_gross_exposure``) or
      ``max_quantity`` for that.
    """

    Params = BreakoutParams
    params: BreakoutParams

    def on_start(self) -> None:
        p = self.params
        self._atrs: dict[str, ATR] = {}
        self._highs: dict[str, deque[float]] = {}
        self._lows: dict[str, deque[float]] = {}
        self._entries: dict[str, Order] = {}
        self._entry_atr: dict[str, float] = {}
        self._stops: dict[str, Order] = {}
        self._exits: dict[str, Order] = {}
        self._trades: dict[str, int] = {}
        self._channel = p.channel
        self._exit_channel = p.exit_channel

    def create_indicators(self) -> dict[str, Indicator]:
        return {"atr": ATR(self.params.atr_period)}

    # -- decisions ---------------------------------------------------------------------------
    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        atr_indicator = self._atrs.get(symbol)
        if atr_indicator is None:
            atr_indicator = self._atrs[symbol] = cast(ATR, self.indicators(symbol)["atr"])
            self._highs[symbol] = deque(maxlen=self._channel)
            self._lows[symbol] = deque(maxlen=self._exit_channel)
        atr = atr_indicator.update_bar(bar)
        highs = self._highs[symbol]
        lows = self._lows[symbol]
        upper = max(highs) if len(highs) == self._channel else math.nan
        lower = min(lows) if len(lows) == self._exit_channel else math.nan
        highs.append(bar.high)
        lows.append(bar.low)
        exiting = self._exits.get(symbol)
        if exiting is not None and exiting.status.is_working:
            return  # the exit decided earlier is still on its way
        position = self.position(symbol)
        if position > 0:
            self._manage_long(bar, position, lower, atr)
        elif position == 0 and not self.working_orders(symbol):
            self._maybe_enter(bar, upper, atr)

    def _maybe_enter(self, bar: Bar, upper: float, atr: float) -> None:
        p = self.params
        if upper != upper or atr != atr or not bar.close > upper or atr <= 0:
            return
        equity = self.equity()
        risk_per_unit = p.atr_multiple * atr
        raw = equity * p.risk_pct / risk_per_unit
        quantity = float(math.floor(raw + 1e-9))
        if p.max_quantity is not None:
            quantity = min(quantity, float(math.floor(p.max_quantity)))
        if quantity < 1:
            return
        state: dict[str, Any] = {
            "close": bar.close,
            "channel_high": upper,
            "atr": atr,
            "equity": equity,
            "risk_per_unit": risk_per_unit,
            "raw_quantity": raw,
        }
        self._entries[bar.symbol] = self.buy(bar.symbol, quantity, reason=ENTRY_REASON, state=state)
        self._entry_atr[bar.symbol] = atr
        self._trades[bar.symbol] = self._trades.get(bar.symbol, 0) + 1

    def _manage_long(self, bar: Bar, position: float, lower: float, atr: float) -> None:
        symbol = bar.symbol
        stop = self._stops.get(symbol)
        if stop is not None and not stop.status.is_working:
            stop = None
        if lower == lower and bar.close < lower:
            self._cancel_entry(symbol)  # a partly filled entry must not keep buying
            group = None
            if stop is not None:
                group = stop.oco_group
                if stop.status in _CHANGEABLE:
                    self.cancel(stop.client_order_id)
            state: dict[str, Any] = {
                "close": bar.close,
                "exit_channel_low": lower,
                "atr": atr,
                "stop_price": None if stop is None else stop.stop_price,
            }
            # Sharing the stop's OCO group: should the stop still fill first, the venue
            # cancels this sell instead of letting it open a short.
            self._exits[symbol] = self.sell(
                symbol, position, reason=EXIT_REASON, state=state, oco_group=group
            )
            return
        if stop is None or stop.status not in _CHANGEABLE or atr != atr:
            return
        candidate = bar.close - self.params.atr_multiple * atr
        if stop.stop_price is not None and candidate > stop.stop_price:
            self.modify(stop.client_order_id, stop_price=candidate)

    # -- fills ---------------------------------------------------------------------------
    def on_fill(self, fill: Fill) -> None:
        symbol = fill.symbol
        oid = fill.client_order_id
        entry = self._entries.get(symbol)
        if entry is not None and oid == entry.client_order_id:
            self._protect(fill, entry)
            return
        stop = self._stops.get(symbol)
        exit_order = self._exits.get(symbol)
        is_stop = stop is not None and oid == stop.client_order_id
        is_exit = exit_order is not None and oid == exit_order.client_order_id
        if (is_stop or is_exit) and self.position(symbol) <= 0:
            self._clear(symbol)

    def _protect(self, fill: Fill, entry: Order) -> None:
        """Place the stop after the entry's first fill; grow it with later partial fills."""
        symbol = fill.symbol
        position = self.position(symbol)
        stop = self._stops.get(symbol)
        if stop is not None and stop.status.is_working:
            if stop.status in _CHANGEABLE:
                self.modify(stop.client_order_id, quantity=position)
        else:
            atr = self._entry_atr[symbol]
            stop_price = fill.price - self.params.atr_multiple * atr
            state: dict[str, Any] = {
                "entry_price": fill.price,
                "atr": atr,
                "atr_multiple": self.params.atr_multiple,
                "stop_price": stop_price,
            }
            self._stops[symbol] = self.sell(
                symbol,
                position,
                order_type=OrderType.STOP,
                stop_price=stop_price,
                reason=STOP_REASON,
                state=state,
                oco_group=f"{self.strategy_id}-{symbol}-{self._trades.get(symbol, 0)}",
            )
        if not entry.status.is_working:
            del self._entries[symbol]

    def _cancel_entry(self, symbol: str) -> None:
        entry = self._entries.get(symbol)
        if entry is not None and entry.status in _CHANGEABLE:
            self.cancel(entry.client_order_id)

    def _clear(self, symbol: str) -> None:
        """Forget a finished trade; an entry remainder still working is canceled."""
        self._cancel_entry(symbol)
        self._stops.pop(symbol, None)
        self._exits.pop(symbol, None)
        self._entries.pop(symbol, None)
        self._entry_atr.pop(symbol, None)
