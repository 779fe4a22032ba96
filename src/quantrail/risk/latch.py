"""The mode latches and the gate that enforces the mode on every order.

The effective mode is the strictest of two latches kept in the ``RiskStateStore``: the
``"latch"`` scope (operator, drawdown breaker, kill switch; cleared only by ``resume``) and the
``"session"`` scope (daily loss; ends when its session does).
"""

from __future__ import annotations

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.kill_switch import KillSwitch
from quantrail.risk.modes import RiskMode, strictest
from quantrail.risk.rules.base import describe
from quantrail.risk.state import Change, Latch, RiskStateStore

__all__ = ["LATCH", "SESSION", "LatchBook", "ModeGate"]

LATCH = "latch"
SESSION = "session"


class LatchBook:
    """Reads and changes the latches, logging every change with its actor."""

    def __init__(self, store: RiskStateStore) -> None:
        self.store = store
        self.mode = self._effective()

    def _effective(self) -> RiskMode:
        latches = (self.store.latch(LATCH), self.store.latch(SESSION))
        return strictest(*(latch.mode for latch in latches if latch is not None))

    def enter(self, scope: str, latch: Latch) -> bool:
        """Latch ``latch.mode`` in ``scope``; True when the effective mode became stricter."""
        before = self.mode
        old = self.store.latch(scope)
        if old is not None and old.mode.level >= latch.mode.level:
            return False  # already as strict: keep the first reason and actor
        change = Change(
            latch.ts_ns, "mode", latch.actor, _name(old), latch.mode.value,
            f"{scope}: {latch.reason}",
        )  # fmt: skip
        self.store.set_latch(scope, latch, change)
        self.mode = self._effective()
        return self.mode.level > before.level

    def clear(self, scope: str, actor: str, ts_ns: int, reason: str) -> Latch | None:
        """Remove the latch of ``scope``; return what was cleared."""
        old = self.store.latch(scope)
        if old is not None:
            change = Change(ts_ns, "mode", actor, old.mode.value, "active", f"{scope}: {reason}")
            self.store.set_latch(scope, None, change)
            self.mode = self._effective()
        return old

    def end_session(self, session: int, ts_ns: int) -> Latch | None:
        """Clear a session latch that belongs to a session other than ``session``."""
        latch = self.store.latch(SESSION)
        if latch is None or latch.session == session:
            return None
        return self.clear(SESSION, "session", ts_ns, f"session {session} began")


def _name(latch: Latch | None) -> str:
    return "active" if latch is None else latch.mode.value


class ModeGate:
    """Denies what the mode (or a pulled kill switch) does not allow.

    HALTED, or the kill switch file present: only the engine's flattening orders that reduce.
    REDUCE_ONLY: only orders that cannot increase the absolute position.
    """

    name = "mode"

    def __init__(self, book: LatchBook, switch: KillSwitch | None) -> None:
        self.book = book
        self.switch = switch

    def check(self, ctx: OrderContext) -> Denial | None:
        allowed_when_halted = ctx.flatten and not ctx.increases
        mode = self.book.mode
        if self.switch is not None and not allowed_when_halted and self.switch.triggered():
            return Denial(
                "kill_switch",
                f"{describe(ctx)}: the kill switch {self.switch.path} is triggered",
                {"mode": mode.value},
                None,
            )
        if mode is RiskMode.HALTED and not allowed_when_halted:
            return Denial(
                "halted",
                f"{describe(ctx)}: trading is halted; only the engine's flattening orders pass",
                {"mode": mode.value},
                None,
            )
        if mode is RiskMode.REDUCE_ONLY and ctx.increases:
            return Denial(
                "reduce_only",
                f"{describe(ctx)}: reduce-only mode; position {ctx.position:g} would become "
                f"{ctx.projected:g}",
                {"mode": mode.value, "position": ctx.position, "projected": ctx.projected},
                None,
            )
        return None
