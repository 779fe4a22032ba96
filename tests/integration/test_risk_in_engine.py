"""Risk applies to modifications too, inside a real backtest."""

from __future__ import annotations

from quantrail.core import Bar, OrderType
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy
from tests.conftest import DATA

UPDATES: list[str] = []


class GrowIt(Strategy):
    def on_start(self) -> None:
        self.order_id: str | None = None

    def on_bar(self, bar: Bar) -> None:
        if self.order_id is None:
            order = self.buy(
                bar.symbol, 10, order_type=OrderType.LIMIT, limit_price=bar.close * 0.1
            )
            self.order_id = order.client_order_id
        else:
            self.modify(self.order_id, quantity=5_000, limit_price=bar.close * 1.1)
            self.modify(self.order_id, quantity=float("nan"))

    def on_order_update(self, update) -> None:  # type: ignore[no-untyped-def]
        UPDATES.append(update.reason)


def test_modify_cannot_bypass_the_risk_limits() -> None:
    UPDATES.clear()
    config = RunConfig.model_validate(
        {
            "data": [
                {"symbol": "SPY", "path": str(DATA / "equity_daily_SPY.csv"), "frequency": "1d"}
            ],
            "strategy": {"name": "tests.integration.test_risk_in_engine:GrowIt"},
            "risk": {"max_order_quantity": 100},
        }
    )
    result = run_backtest(config)
    assert result.fills.empty
    assert result.orders.loc[0, "quantity"] == 10
    assert any("modify denied by max_order_quantity" in r for r in UPDATES)
    assert any("modify denied by order_sanity" in r for r in UPDATES)
