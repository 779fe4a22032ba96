"""The Strategy base class: the user API, identical in backtest, paper and live.

A strategy receives bars, fills and order updates, keeps its own indicators, and expresses
intents (``buy``, ``sell``, ``target_position``) that the engine routes through risk and the
order manager. It never learns which mode it runs in.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderType, Side, TimeInForce
from quantrail.core.errors import InvariantViolation
from quantrail.core.events import CorporateAction, Fill, OrderUpdate
from quantrail.core.orders import Order, OrderIntent
from quantrail.indicators.base import Indicator
from quantrail.strategy.context import TradingContext

__all__ = ["NoParams", "Strategy", "StrategyParams"]


class StrategyParams(BaseModel):
    """Base of strategy parameter models: typed, frozen, unknown names rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(StrategyParams):
    """A strategy without parameters."""


class Strategy:
    """Subclass and override the ``on_*`` callbacks you need.

    Declare parameters as a ``StrategyParams`` subclass assigned to ``Params``; the engine
    validates the config's ``strategy.params`` against it and passes the instance as
    ``self.params``. Indicators created in ``create_indicators`` exist once per symbol and are
    updated by the strategy itself (``update_indicators``), so their values at a decision are
    exactly what the strategy saw.
    """

    Params: ClassVar[type[StrategyParams]] = NoParams

    def __init__(self, params: StrategyParams | None = None, strategy_id: str = "S") -> None:
        self.params: Any = params if params is not None else self.Params()
        self.strategy_id = strategy_id
        self._ctx: TradingContext | None = None
        self._indicators: dict[str, dict[str, Indicator]] = {}

    # -- lifecycle, called by the engine ---------------------------------------------------
    def bind(self, context: TradingContext) -> None:
        self._ctx = context

    @property
    def ctx(self) -> TradingContext:
        if self._ctx is None:
            raise InvariantViolation(f"strategy {self.strategy_id} used before the engine bound it")
        return self._ctx

    # -- callbacks to override ---------------------------------------------------------------
    def on_start(self) -> None:
        """Called once before the first event."""

    def on_bar(self, bar: Bar) -> None:
        """Called for every bar, stamped at the moment it became known."""

    def on_fill(self, fill: Fill) -> None:
        """Called after a fill of one of this strategy's orders has been booked."""

    def on_order_update(self, update: OrderUpdate) -> None:
        """Called when an order is accepted, canceled, expired, rejected or denied by risk."""

    def on_corporate_action(self, action: CorporateAction) -> None:
        """Called on an ex-date, after positions and working orders were adjusted.

        The default restarts this symbol's indicators after a split: their history is in
        pre-split prices, which are not comparable with the prices that follow. Override to
        rescale instead. Dividends change nothing here (prices are as traded).
        """
        if action.kind == "split":
            for indicator in self._indicators.get(action.symbol, {}).values():
                indicator.reset()

    def on_stop(self) -> None:
        """Called once after the last event."""

    # -- indicators ------------------------------------------------------------------------
    def create_indicators(self) -> dict[str, Indicator]:
        """Return fresh indicators for one symbol; override to declare yours."""
        return {}

    def indicators(self, symbol: str) -> dict[str, Indicator]:
        found = self._indicators.get(symbol)
        if found is None:
            found = self._indicators[symbol] = self.create_indicators()
        return found

    def update_indicators(self, bar: Bar) -> dict[str, Indicator]:
        found = self._indicators.get(bar.symbol)
        if found is None:
            found = self.indicators(bar.symbol)
        for indicator in found.values():
            indicator.update_bar(bar)
        return found

    def indicator_values(self, symbol: str) -> dict[str, float | None]:
        """The current values, NaN mapped to None so they serialise to the audit trail."""
        values: dict[str, float | None] = {}
        for name, indicator in self.indicators(symbol).items():
            value = indicator.value
            values[name] = None if math.isnan(value) else value
        return values

    # -- reading state ---------------------------------------------------------------------
    def now_ns(self) -> int:
        return self.ctx.now_ns()

    def position(self, symbol: str) -> float:
        return self.ctx.portfolio.position(symbol)

    @property
    def cash(self) -> float:
        return self.ctx.portfolio.cash

    def equity(self) -> float:
        return self.ctx.portfolio.equity()

    def working_orders(self, symbol: str | None = None) -> list[Order]:
        return [o for o in self.ctx.working_orders(symbol) if o.strategy_id == self.strategy_id]

    # -- acting ----------------------------------------------------------------------------
    def submit(self, intent: OrderIntent) -> Order:
        """Send an intent through risk to the venue; returns the order (check its status)."""
        return self.ctx.submit(intent, self.strategy_id)

    def _order(
        self,
        side: Side,
        symbol: str,
        quantity: float,
        order_type: OrderType | str,
        limit_price: float | None,
        stop_price: float | None,
        time_in_force: TimeInForce | str,
        reason: str,
        state: dict[str, Any] | None,
        oco_group: str | None,
    ) -> Order:
        intent = OrderIntent(
            symbol=symbol,
            side=side,
            quantity=quantity,
            order_type=OrderType(order_type),
            limit_price=limit_price,
            stop_price=stop_price,
            time_in_force=TimeInForce(time_in_force),
            reason=reason,
            state=self.indicator_values(symbol) if state is None else state,
            oco_group=oco_group,
        )
        return self.ctx.submit(intent, self.strategy_id)

    def buy(
        self,
        symbol: str,
        quantity: float,
        *,
        order_type: OrderType | str = OrderType.MARKET,
        limit_price: float | None = None,
        stop_price: float | None = None,
        time_in_force: TimeInForce | str = TimeInForce.GTC,
        reason: str = "",
        state: dict[str, Any] | None = None,
        oco_group: str | None = None,
    ) -> Order:
        """Buy ``quantity``; ``state`` (default: this symbol's indicator values) is audited."""
        return self._order(
            Side.BUY, symbol, quantity, order_type, limit_price, stop_price, time_in_force,
            reason, state, oco_group,
        )  # fmt: skip

    def sell(
        self,
        symbol: str,
        quantity: float,
        *,
        order_type: OrderType | str = OrderType.MARKET,
        limit_price: float | None = None,
        stop_price: float | None = None,
        time_in_force: TimeInForce | str = TimeInForce.GTC,
        reason: str = "",
        state: dict[str, Any] | None = None,
        oco_group: str | None = None,
    ) -> Order:
        """Sell ``quantity`` (closing a long or opening a short)."""
        return self._order(
            Side.SELL, symbol, quantity, order_type, limit_price, stop_price, time_in_force,
            reason, state, oco_group,
        )  # fmt: skip

    def target_position(
        self,
        symbol: str,
        quantity: float,
        *,
        reason: str = "",
        state: dict[str, Any] | None = None,
    ) -> Order | None:
        """Trade towards ``quantity`` with a market order, counting working market orders.

        Returns None when position plus working market orders already equal the target.
        """
        pending = sum(
            o.signed_remaining
            for o in self.working_orders(symbol)
            if o.order_type is OrderType.MARKET
        )
        delta = quantity - self.position(symbol) - pending
        if abs(delta) < 1e-9:
            return None
        side = Side.BUY if delta > 0 else Side.SELL
        return self._order(
            side, symbol, abs(delta), OrderType.MARKET, None, None, TimeInForce.GTC, reason,
            state, None,
        )  # fmt: skip

    def cancel(self, client_order_id: str) -> None:
        self.ctx.cancel(client_order_id)

    def modify(
        self,
        client_order_id: str,
        *,
        quantity: float | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
    ) -> None:
        self.ctx.modify(client_order_id, quantity, limit_price, stop_price)

    # -- state that must survive a restart ---------------------------------------------------
    def on_save(self) -> dict[str, Any]:
        """Return state to persist (live mode); the default keeps nothing."""
        return {}

    def on_load(self, state: dict[str, Any]) -> None:
        """Restore what ``on_save`` returned."""
