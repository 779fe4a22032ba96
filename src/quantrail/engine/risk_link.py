"""Between the engine and the risk engine: checks that fail closed, risk events into the audit
trail, and the risk engine's actions (cancel all, flatten, halt, reduce-only) carried out.

The risk engine decides; this module only does what it says, through the same order path a
strategy uses, so every cancel and flattening order is audited like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderType, Side
from quantrail.core.events import Fill
from quantrail.core.orders import Order, OrderIntent
from quantrail.risk import FLATTEN_KEY, Denial, KillSwitch, RiskAction, RiskEvent, RiskMode
from quantrail.store.audit import to_json

if TYPE_CHECKING:
    from quantrail.engine.backtest import BacktestEngine

__all__ = ["RISK_STRATEGY_ID", "RiskLink"]

RISK_STRATEGY_ID = "RISK"  # client order ids of flattening orders: RISK-<n>


class RiskLink:
    """The engine's side of risk: one per engine."""

    def __init__(self, engine: BacktestEngine, tags: dict[str, dict[str, str]]) -> None:
        self.engine = engine
        self.risk = engine.risk
        self.tags = tags
        self.rows: list[tuple[Any, ...]] = []  # every risk event, for risk_events.csv
        self._pending: list[RiskAction] = []
        self._symbol_rows: dict[str, npt.NDArray[np.int64]] = {}
        self._session: int | None = None
        # With a kill switch the monitors must poll its file on every bar.
        path = self.risk.config.kill_switch.path
        self._kill_switch = None if path is None else KillSwitch(path)
        self._always = self._kill_switch is not None
        self.stopping = False  # set once the kill switch fired: finish flattening, then stop

    def rows_of(self, symbol: str) -> npt.NDArray[np.int64]:
        rows = self._symbol_rows.get(symbol)
        if rows is None:
            stream = self.engine.stream
            index = stream.symbols.index(symbol)
            rows = self._symbol_rows[symbol] = np.flatnonzero(stream.symbol_index == index)
        return rows

    # -- checks --------------------------------------------------------------------------
    def check(self, order: Order, what: str = "order") -> Denial | None:
        """Pre-trade check; an exception anywhere in it denies the order (fail closed)."""
        try:
            denial = self.risk.check(order, self.engine)
        except Exception as exc:
            denial = Denial("risk_check_failed", f"could not evaluate risk: {exc!r}")
            self._record(
                RiskEvent(self.engine.clock.ts, denial.rule, "deny", order.symbol, denial.reason),
                order.client_order_id,
            )
        self.drain(order.client_order_id, prefix="" if what == "order" else f"{what}: ")
        return denial

    def record_denial(self, order: Order, denial: Denial) -> None:
        """A denial decided by the engine itself (e.g. an unknown symbol)."""
        event = RiskEvent(self.engine.clock.ts, denial.rule, "deny", order.symbol, denial.reason)
        self._record(event, order.client_order_id)

    # -- monitors ------------------------------------------------------------------------
    def on_bar(self, bar: Bar) -> bool:
        """Run the bar monitors; return True when there are actions to carry out.

        Equity moves only with the price of a held symbol (fills have their own path), so a bar
        of a symbol not held, inside the same session, cannot change what the monitors see:
        it is skipped. A new session, a held symbol or a kill switch always run them.
        """
        if (
            bar.session == self._session
            and not self._always
            and self.engine.portfolio.position(bar.symbol) == 0.0
        ):
            return False
        self._session = bar.session
        actions = self.risk.on_bar(bar, self.engine)
        self.drain(None)
        if actions:
            self._pending.extend(actions)
            return True
        return False

    def after_fill(self, fill: Fill) -> None:
        actions = self.risk.on_fill(fill, self.engine)
        self.drain(None)
        if actions:
            self._pending.extend(actions)
            self.execute_pending()

    def execute_pending(self) -> None:
        actions, self._pending = self._pending, []
        engine = self.engine
        for action in dict.fromkeys(actions):  # each once, in the order given
            if action is RiskAction.CANCEL_ALL:
                for order in engine.oms.working_orders():
                    engine.cancel(order.client_order_id)
            elif action is RiskAction.FLATTEN_ALL:
                self._flatten()
            else:  # HALT and REDUCE_ONLY: nothing that adds exposure may stay working
                for order in self.risk.increasing_orders(engine):
                    engine.cancel(order.client_order_id)
        self.drain(None)
        if self._kill_switch is not None and self.risk.mode is RiskMode.HALTED:
            self.stopping = self._kill_switch.triggered()

    def _flatten(self) -> None:
        engine = self.engine
        for symbol, quantity in engine.portfolio.positions().items():
            side = Side.SELL if quantity > 0 else Side.BUY
            intent = OrderIntent(
                symbol, side, abs(quantity), OrderType.MARKET,
                reason="risk: flatten", state={FLATTEN_KEY: True},
            )  # fmt: skip
            engine.submit(intent, RISK_STRATEGY_ID)

    # -- events --------------------------------------------------------------------------
    def drain(self, client_order_id: str | None, prefix: str = "") -> None:
        for event in self.risk.drain_events():
            if event.severity == "deny":
                self._record(event, client_order_id, prefix)
            else:
                self._record(event, None)

    def _record(self, event: RiskEvent, client_order_id: str | None, prefix: str = "") -> None:
        row = (
            event.ts_ns, client_order_id, event.rule, event.severity, event.symbol,
            prefix + event.message, to_json(event.values),
        )  # fmt: skip
        self.rows.append(row)
        self.engine.audit.add("risk_events", row)
