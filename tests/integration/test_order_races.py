"""Modifies and cancels racing each other under latency do not break the order state machine."""

from __future__ import annotations

from quantrail.core import Bar, OrderStatus, OrderType
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy
from tests.conftest import DATA


class Fidget(Strategy):
    """Keeps a resting buy limit, modifies it twice every bar and cancels it every fifth."""

    def on_start(self) -> None:
        self.count = 0

    def on_bar(self, bar: Bar) -> None:
        self.count += 1
        working = self.working_orders(bar.symbol)
        if not working:
            self.buy(bar.symbol, 1, order_type=OrderType.LIMIT, limit_price=bar.close * 0.9,
                     reason="rest")  # fmt: skip
            return
        order = working[0]
        self.modify(order.client_order_id, limit_price=round(bar.close * 0.95, 2))
        self.modify(order.client_order_id, quantity=2)
        if self.count % 5 == 0:
            self.cancel(order.client_order_id)
            self.modify(order.client_order_id, quantity=3)  # ignored: already being canceled


def test_modify_twice_and_cancel_in_flight_with_latency() -> None:
    config = RunConfig.model_validate(
        {
            "data": [
                {"symbol": "SPY", "path": str(DATA / "equity_daily_SPY.csv"), "frequency": "1d"}
            ],
            "strategy": {"name": "tests.integration.test_order_races:Fidget"},
            "execution": {"latency": "3d"},
        }
    )
    result = run_backtest(config)
    statuses = set(result.orders["status"])
    assert OrderStatus.CANCELED.value in statuses
    assert result.orders["filled_quantity"].le(result.orders["quantity"]).all()
    assert set(result.orders.loc[result.orders.status == "filled", "quantity"]) <= {1.0, 2.0}
