"""Contradictory commands: a new order against a working opposite order of the same strategy.

The rule: **the latest decision wins, but the two never work at the same time.** A new buy
while the same strategy still has a working sell on that symbol (or the reverse) is held; the
working opposite orders are canceled first; the held order is submitted once every one of them
is final, and dropped if any of them filled meanwhile (the position it was decided on no longer
exists, so the strategy decides again on its fill callback).

Why not the alternatives: refusing the new order keeps the stale one working and discards what
the strategy asked for last; sending both lets the venue match the strategy against itself (a
wash trade, refused or self-trade-cancelled by venues, paying spread and fees for nothing).

Not contradictory: orders of the same side (scaling in), other strategies' orders, and
protective legs on either side (stops, OCO members, bracket exits): a stop protecting a long is
meant to be a working sell while the strategy buys more. The engine's own flattening orders do
not go through this rule; the kill switch cancels everything before flattening.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from quantrail.core.enums import OrderStatus, OrderType
from quantrail.core.orders import Order, OrderIntent
from quantrail.oms.linked import PARENT_KEY

__all__ = [
    "CommandAction",
    "CommandDecision",
    "HeldCommand",
    "Release",
    "decide_command",
    "is_protective",
    "release_held",
]

_QTY_EPS = 1e-9


class CommandAction(StrEnum):
    PROCEED = "proceed"
    CANCEL_THEN_SUBMIT = "cancel_then_submit"


class Release(StrEnum):
    WAIT = "wait"
    SUBMIT = "submit"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class CommandDecision:
    """``cancel``: the opposite orders to cancel now; ``wait_on``: every opposite order, with its
    filled quantity at decision time (an order already being canceled is waited on, not
    canceled twice)."""

    action: CommandAction
    cancel: tuple[str, ...] = ()
    wait_on: tuple[tuple[str, float], ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class HeldCommand:
    """A new order waiting for the cancels of its opposite orders, held by the engine."""

    intent: OrderIntent
    strategy_id: str
    wait_on: tuple[tuple[str, float], ...]
    since_ns: int


def is_protective(intent: OrderIntent) -> bool:
    """Stops, OCO legs and bracket exits: opposite to the position by design."""
    return (
        intent.order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
        or intent.oco_group is not None
        or PARENT_KEY in intent.state
    )


def decide_command(
    intent: OrderIntent, strategy_id: str, working: Iterable[Order]
) -> CommandDecision:
    """Decide whether ``intent`` may go now or must wait for opposite orders to be canceled.

    ``working`` is the order manager's working orders (any symbol or strategy; filtered here).
    """
    if is_protective(intent):
        return CommandDecision(CommandAction.PROCEED)
    opposite = [
        o
        for o in working
        if o.strategy_id == strategy_id
        and o.symbol == intent.symbol
        and o.side is not intent.side
        and o.status.is_working
        and not is_protective(o.intent)
    ]
    if not opposite:
        return CommandDecision(CommandAction.PROCEED)
    opposite.sort(key=lambda o: o.seq)
    ids = ", ".join(o.client_order_id for o in opposite)
    return CommandDecision(
        CommandAction.CANCEL_THEN_SUBMIT,
        cancel=tuple(
            o.client_order_id for o in opposite if o.status is not OrderStatus.PENDING_CANCEL
        ),
        wait_on=tuple((o.client_order_id, o.filled_quantity) for o in opposite),
        reason=f"new {intent.side.label} {intent.symbol} waits for the cancel of {ids}",
    )


def release_held(
    held: HeldCommand, lookup: Callable[[str], Order | None], now_ns: int, max_wait_ns: int
) -> tuple[Release, str]:
    """Whether a held order may be submitted now, must wait, or is dropped, and why."""
    orders = [(cid, filled_then, lookup(cid)) for cid, filled_then in held.wait_on]
    for cid, filled_then, order in orders:
        if order is not None and order.filled_quantity > filled_then + _QTY_EPS:
            return Release.DROP, f"{cid} filled while being canceled; decide again"
    for cid, _, order in orders:
        # An order unknown to the manager has nothing that can still work.
        if order is not None and not order.status.is_terminal:
            if now_ns - held.since_ns >= max_wait_ns:
                return Release.DROP, f"{cid} still working after {max_wait_ns} ns"
            return Release.WAIT, f"{cid} is {order.status}"
    return Release.SUBMIT, "opposite orders are final"
