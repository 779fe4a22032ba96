"""The shape of a pre-trade rule.

A rule is a small object built from its frozen config. ``check`` is pure: it reads the
``OrderContext`` and returns a ``Denial`` or None; it never counts or changes anything, so a
rule cannot be fooled by one that ran before it. A rule that is switched off by its config is
simply not built (``build`` returns None), so disabled rules cost nothing per order.
"""

from __future__ import annotations

from typing import Protocol

from quantrail.risk.context import OrderContext
from quantrail.risk.events import Denial

__all__ = ["PreTradeRule", "describe"]


class PreTradeRule(Protocol):
    """``name`` identifies the rule in fail-closed denials and in ``RiskEngine.stats``."""

    name: str

    def check(self, ctx: OrderContext) -> Denial | None: ...


def describe(ctx: OrderContext) -> str:
    """``"buy 100 SPY (S1-1)"``: how a denial names the order."""
    order = ctx.order
    return f"{order.side.label} {order.quantity:g} {order.symbol} ({order.client_order_id})"
