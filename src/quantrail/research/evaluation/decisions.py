"""Recording every decision a strategy makes, with the clock time it made it.

A decision is a call through the strategy's trading context: ``submit`` (with the intent as
the strategy wrote it, including the ``state`` it reported), ``modify`` or ``cancel``. The
order table of a finished run shows each order's *final* prices and quantity (a trailing stop
moves after it is created), so it cannot say what was decided when; this log can.

The strategy is wrapped by a subclass whose ``bind`` puts a recording proxy around the
engine's context. ``run_backtest`` builds strategies from a ``module:Class`` name, so the
subclass is published under a temporary name in this module for the length of one run.
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quantrail.core.orders import Order, OrderIntent
from quantrail.core.ports import PortfolioView
from quantrail.engine.config import RunConfig
from quantrail.engine.results import BacktestResult
from quantrail.engine.run import run_backtest
from quantrail.strategy import resolve_strategy
from quantrail.strategy.context import TradingContext

__all__ = ["Decision", "run_recorded"]

_names = itertools.count()


@dataclass(frozen=True)
class Decision:
    """One call through the context: ``kind`` is submit, modify or cancel.

    ``key`` is the client order id; ``fields`` are what the strategy asked for.
    """

    ts: int
    kind: str
    key: str
    fields: dict[str, Any] = field(default_factory=dict)


class _RecordingContext:
    """Forwards to the engine's context and logs every decision with the clock time."""

    def __init__(self, inner: TradingContext, log: list[Decision]) -> None:
        self._inner = inner
        self._log = log

    @property
    def portfolio(self) -> PortfolioView:
        return self._inner.portfolio

    def now_ns(self) -> int:
        return self._inner.now_ns()

    def working_orders(self, symbol: str | None = None) -> list[Order]:
        return self._inner.working_orders(symbol)

    def submit(self, intent: OrderIntent, strategy_id: str) -> Order:
        order = self._inner.submit(intent, strategy_id)
        fields = {
            "symbol": intent.symbol,
            "side": intent.side.label,
            "quantity": intent.quantity,
            "order_type": intent.order_type.value,
            "limit_price": intent.limit_price,
            "stop_price": intent.stop_price,
            "time_in_force": intent.time_in_force.value,
            "reason": intent.reason,
            "oco_group": intent.oco_group,
            # What the strategy says it saw: a leak shows here even if no decision changed.
            "state": json.dumps(intent.state, sort_keys=True, default=repr),
        }
        self._log.append(Decision(self.now_ns(), "submit", order.client_order_id, fields))
        return order

    def cancel(self, client_order_id: str) -> None:
        self._log.append(Decision(self.now_ns(), "cancel", client_order_id))
        self._inner.cancel(client_order_id)

    def modify(
        self,
        client_order_id: str,
        quantity: float | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
    ) -> None:
        fields = {"quantity": quantity, "limit_price": limit_price, "stop_price": stop_price}
        self._log.append(Decision(self.now_ns(), "modify", client_order_id, fields))
        self._inner.modify(client_order_id, quantity, limit_price, stop_price)


def run_recorded(
    config: RunConfig, base_dir: Path | None = None
) -> tuple[BacktestResult, list[Decision]]:
    """Run ``config`` with its strategy's decisions recorded; return the result and the log."""
    cls = resolve_strategy(config.strategy.name)
    log: list[Decision] = []

    class Recording(cls):  # type: ignore[valid-type,misc]
        def bind(self, context: TradingContext) -> None:
            super().bind(_RecordingContext(context, log))

    name = f"_recording_{next(_names)}"
    Recording.__name__ = Recording.__qualname__ = name
    module = sys.modules[__name__]
    setattr(module, name, Recording)
    try:
        strategy = config.strategy.model_copy(update={"name": f"{__name__}:{name}"})
        result = run_backtest(config.model_copy(update={"strategy": strategy}), base_dir=base_dir)
    finally:
        delattr(module, name)
    return result, log
