"""Per-symbol reduce-only locks (e.g. a reconciliation break on one symbol).

A locked symbol accepts only orders that cannot increase its absolute position, counting the
worst case as every rule does (a flip through zero is an increase). Reductions pass, the
engine's flattening orders included. Locking ``ACCOUNT_LOCK`` (``"*"``) makes every symbol
reduce-only without changing the trading mode. Locks live in the ``RiskStateStore``, so they
survive a restart.
"""

from __future__ import annotations

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial
from quantrail.risk.rules.base import describe
from quantrail.risk.state import RiskStateStore

__all__ = ["ACCOUNT_LOCK", "SymbolLockGate"]

# The account-wide lock symbol. Must equal quantrail.oms.books.ACCOUNT; risk and oms are
# sibling layers and do not import each other, so the literal is repeated here.
ACCOUNT_LOCK = "*"


class SymbolLockGate:
    """Denies an order that would increase |position| in a locked symbol."""

    name = "symbol_locked"

    def __init__(self, store: RiskStateStore) -> None:
        self.store = store

    def check(self, ctx: OrderContext) -> Denial | None:
        symbol = ctx.order.symbol
        key = symbol
        lock = self.store.symbol_lock(symbol)
        if lock is None:
            key = ACCOUNT_LOCK
            lock = self.store.symbol_lock(ACCOUNT_LOCK)
        if lock is None or not ctx.increases:
            return None
        scope = "the account is" if key == ACCOUNT_LOCK else f"{symbol} is"
        return Denial(
            self.name,
            f"{describe(ctx)}: {scope} locked reduce-only by {lock.actor} ({lock.reason}); "
            f"position {ctx.position:g} would become {ctx.projected:g}",
            {
                "lock": key,
                "reason": lock.reason,
                "locked_by": lock.actor,
                "locked_at": lock.ts_ns,
                "position": ctx.position,
                "projected": ctx.projected,
            },
            None,
        )
