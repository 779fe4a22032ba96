"""The monitors' shared state: the session, the last equity seen, the kill switch poll.

The session's starting equity is the last equity observed before its first bar (the previous
session's closing marks). Marks (session, its starting equity, the equity peak) are saved to
the state store once per session, so a restart resumes the daily loss and drawdown from them.
"""

from __future__ import annotations

import math

from quantrail.risk.config import RiskConfig
from quantrail.risk.events import RiskAction, RiskEvent
from quantrail.risk.kill_switch import KillSwitch
from quantrail.risk.rules.daily_loss import DailyLossMonitor
from quantrail.risk.rules.drawdown import DrawdownBreaker
from quantrail.risk.rules.protective_exit import UnprotectedPositionMonitor
from quantrail.risk.state import RiskStateStore
from quantrail.risk.view import RiskView

__all__ = ["Monitors"]

Observed = tuple[RiskEvent | None, RiskEvent | None, RiskEvent | None]


class Monitors:
    """Daily loss, drawdown, unprotected positions and the kill switch for one engine."""

    def __init__(self, config: RiskConfig, store: RiskStateStore) -> None:
        self.store = store
        session = store.mark("session")
        self.session = None if session is None else int(session)
        self.daily = DailyLossMonitor(config.daily_loss)
        if self.session is not None:
            self.daily.start_session(store.mark("session_start_equity"))
        self.drawdown = DrawdownBreaker(config.drawdown, store.mark("equity_peak"))
        self.unprotected = UnprotectedPositionMonitor()
        self.warn_unprotected = True
        self.kill_switch: KillSwitch | None = None
        self.kill_flatten = False
        self._last_equity: float | None = None

    def configure(self, config: RiskConfig) -> None:
        """Take new limits, keeping what has been observed (peak, session start)."""
        self.daily.limit = config.daily_loss.max_loss_pct
        self.drawdown.limit = config.drawdown.max_drawdown
        self.warn_unprotected = config.protective_exits.warn_unprotected_positions
        path = config.kill_switch.path
        self.kill_switch = None if path is None else KillSwitch(path)
        self.kill_flatten = config.kill_switch.flatten

    def is_new_session(self, session: int) -> bool:
        return self.session is None or session > self.session

    def roll_session(self, session: int) -> None:
        """Start ``session`` if it is new, from the last equity seen."""
        if not self.is_new_session(session):
            return
        self.session = session
        start = self._last_equity
        self.daily.start_session(start)  # None: from the first equity of the session
        marks = {"session": float(session)}
        if start is not None:
            marks["session_start_equity"] = start
        if self.drawdown.peak is not None:
            marks["equity_peak"] = self.drawdown.peak
        self.store.set_marks(marks)

    def observe(self, view: RiskView, ts_ns: int, symbol: str | None) -> Observed:
        """Equity monitors, then the unprotected-position check for ``symbol`` (if given).

        Raises when equity cannot be read or is not finite; the engine then fails closed.
        """
        equity = view.portfolio.equity()
        if not math.isfinite(equity):
            raise ValueError(f"equity is {equity!r}")
        self._last_equity = equity
        drawdown = self.drawdown.observe(equity, ts_ns)
        daily = self.daily.observe(equity, ts_ns)
        unprotected = None
        if symbol is not None and self.warn_unprotected:
            unprotected = self.unprotected.observe(symbol, view)
        return drawdown, daily, unprotected

    def kill_switch_fired(self, ts_ns: int) -> RiskEvent | None:
        """The event for a kill switch found triggered, else None."""
        switch = self.kill_switch
        if switch is None or not switch.triggered():
            return None
        info = switch.info()
        who, why = info.get("actor", "unknown"), info.get("reason", "sentinel file present")
        return RiskEvent(
            ts_ns,
            "kill_switch",
            "halt",
            None,
            f"kill switch {switch.path} triggered by {who}: {why}",
            {"path": str(switch.path), "actor": str(who)},
        )

    def kill_actions(self) -> tuple[RiskAction, ...]:
        if self.kill_flatten:
            return (RiskAction.CANCEL_ALL, RiskAction.FLATTEN_ALL, RiskAction.HALT)
        return (RiskAction.CANCEL_ALL, RiskAction.HALT)

    def after_resume(self) -> None:
        """The operator accepted the loss: the drawdown peak restarts at the next equity."""
        self.drawdown.reset(None)
