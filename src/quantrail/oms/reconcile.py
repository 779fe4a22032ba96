"""Reconciliation as a pure diff of the local book against the venue's, into breaks and actions.

``reconcile`` reads two snapshots and returns what differs (:class:`Break`, for the audit trail
and the alert) and what to do (:class:`Action`, which the engine applies through the order
manager and audits). It never talks to the venue and never mutates anything, so the same two
snapshots always give the same answer.

- Fills: every venue execution since the last one seen whose id the local book has not booked
  is an external fill: ADOPT_FILL.
- Working orders, by client order id: working at the venue but not locally, an external order:
  ADOPT_ORDER. Working locally but not at the venue: finished or lost there; MARK_TERMINAL with
  the venue's final status when its recent closed orders show it, QUERY_ORDER otherwise.
- Positions and cash: a difference that adopting the unknown fills explains needs nothing more;
  one that remains is a break nobody can explain, and the symbol (or the whole account, for
  cash) is locked to reduce-only (LOCK_REDUCE_ONLY) until a later pass finds it clean (UNLOCK).
- Buying power is the venue's own computation (margin rules the local book does not model):
  a difference is reported, never acted on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from quantrail.core.enums import OrderStatus
from quantrail.oms.books import ACCOUNT, LocalBook, LocalOrder, Tolerances, VenueBook
from quantrail.oms.reports import VenueFillReport, VenueOrderReport

__all__ = [
    "Action",
    "ActionKind",
    "Break",
    "BreakKind",
    "ReconcileResult",
    "reconcile",
]


class BreakKind(StrEnum):
    POSITION = "position"
    CASH = "cash"
    BUYING_POWER = "buying_power"
    EXTERNAL_ORDER = "external_order"
    MISSING_ORDER = "missing_order"
    ORDER_MISMATCH = "order_mismatch"
    EXTERNAL_FILL = "external_fill"


class ActionKind(StrEnum):
    ADOPT_ORDER = "adopt_order"
    ADOPT_FILL = "adopt_fill"
    MARK_TERMINAL = "mark_terminal"
    QUERY_ORDER = "query_order"
    LOCK_REDUCE_ONLY = "lock_reduce_only"
    UNLOCK = "unlock"


@dataclass(frozen=True, slots=True)
class Break:
    """One difference. ``ref`` is the client order id or execution id it is about, if any."""

    kind: BreakKind
    symbol: str | None
    local: float | None
    venue: float | None
    detail: str
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    symbol: str | None = None
    client_order_id: str | None = None
    order: VenueOrderReport | None = None
    fill: VenueFillReport | None = None
    status: OrderStatus | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    breaks: tuple[Break, ...]
    actions: tuple[Action, ...]

    @property
    def clean(self) -> bool:
        return not self.breaks


def reconcile(local: LocalBook, venue: VenueBook, tol: Tolerances | None = None) -> ReconcileResult:
    """Compare ``local`` with ``venue``; the result is ordered deterministically."""
    tol = tol or Tolerances()
    breaks: list[Break] = []
    actions: list[Action] = []
    unknown = sorted(
        (f for f in venue.fills if f.execution_id not in local.fill_ids),
        key=lambda f: (f.ts, f.execution_id),
    )
    for fill in unknown:
        breaks.append(
            Break(BreakKind.EXTERNAL_FILL, fill.symbol, None, fill.signed_quantity,
                  f"{fill.side.label} {fill.quantity:g} @ {fill.price:g} for "
                  f"{fill.client_order_id}", fill.execution_id)
        )  # fmt: skip
        actions.append(Action(ActionKind.ADOPT_FILL, fill.symbol, fill.client_order_id, fill=fill))
    order_breaks, order_actions, suspect = _orders(local, venue, unknown, tol)
    breaks.extend(order_breaks)
    actions[:0] = order_actions[0]  # adopt orders before their fills, so fills find them
    actions.extend(order_actions[1])
    position_breaks, unexplained = _positions(local, venue, unknown, tol)
    breaks.extend(position_breaks)
    cash_break, cash_unexplained = _cash(local, venue, unknown, tol)
    breaks.extend(cash_break)
    if _differs(local.buying_power, venue.buying_power, tol.buying_power):
        breaks.append(
            Break(BreakKind.BUYING_POWER, None, local.buying_power, venue.buying_power,
                  "the venue's buying power differs; risk should read the venue's")
        )  # fmt: skip
    need_lock = unexplained | suspect | ({ACCOUNT} if cash_unexplained else set())
    actions.extend(_locks(need_lock, local.locked))
    order = {k: i for i, k in enumerate(BreakKind)}
    breaks.sort(key=lambda b: (order[b.kind], b.symbol or "", b.ref))
    return ReconcileResult(tuple(breaks), tuple(actions))


def _orders(
    local: LocalBook, venue: VenueBook, unknown: Sequence[VenueFillReport], tol: Tolerances
) -> tuple[list[Break], tuple[list[Action], list[Action]], set[str]]:
    """Breaks; (adoptions, terminal/query actions); symbols with an unexplained order mismatch."""
    breaks: list[Break] = []
    adopt: list[Action] = []
    finish: list[Action] = []
    suspect: set[str] = set()
    for cid in sorted(set(venue.orders) - set(local.working)):
        report = venue.orders[cid]
        breaks.append(
            Break(BreakKind.EXTERNAL_ORDER, report.symbol, None, report.remaining,
                  f"venue works {report.side.label} {report.quantity:g} unknown locally", cid)
        )  # fmt: skip
        adopt.append(Action(ActionKind.ADOPT_ORDER, report.symbol, cid, order=report))
    for cid in sorted(set(local.working) - set(venue.orders)):
        mine = local.working[cid]
        closed = venue.closed.get(cid)
        breaks.append(
            Break(BreakKind.MISSING_ORDER, mine.symbol, mine.quantity - mine.filled_quantity,
                  None, f"local {mine.status} order is not working at the venue", cid)
        )  # fmt: skip
        if closed is not None:
            finish.append(Action(ActionKind.MARK_TERMINAL, mine.symbol, cid, order=closed,
                                 status=closed.status, detail="finished at the venue"))  # fmt: skip
        else:
            lost = "lost or finished at the venue: ask by client order id"
            finish.append(Action(ActionKind.QUERY_ORDER, mine.symbol, cid, detail=lost))
    fills_by_order: dict[str, float] = {}
    for fill in unknown:
        fills_by_order[fill.client_order_id] = (
            fills_by_order.get(fill.client_order_id, 0.0) + fill.quantity
        )
    for cid in sorted(set(local.working) & set(venue.orders)):
        problem = _mismatch(
            local.working[cid], venue.orders[cid], fills_by_order.get(cid, 0.0), tol
        )
        if problem is not None:
            breaks.append(problem)
            suspect.add(local.working[cid].symbol)
    return breaks, (adopt, finish), suspect


def _mismatch(
    mine: LocalOrder, theirs: VenueOrderReport, unknown_filled: float, tol: Tolerances
) -> Break | None:
    """The first way one order differs between the books that adopting fills does not explain."""
    cid = mine.client_order_id
    if mine.symbol != theirs.symbol or mine.side is not theirs.side:
        return Break(BreakKind.ORDER_MISMATCH, mine.symbol, None, None,
                     f"venue has {theirs.side.label} {theirs.symbol}, local "
                     f"{mine.side.label} {mine.symbol}", cid)  # fmt: skip
    # A replace in flight legitimately shows the old or the new size on either side.
    if mine.status is not OrderStatus.PENDING_REPLACE and _differs(
        mine.quantity, theirs.quantity, tol.quantity
    ):
        return Break(BreakKind.ORDER_MISMATCH, mine.symbol, mine.quantity, theirs.quantity,
                     "order quantity differs", cid)  # fmt: skip
    if _differs(mine.filled_quantity + unknown_filled, theirs.filled_quantity, tol.quantity):
        return Break(BreakKind.ORDER_MISMATCH, mine.symbol, mine.filled_quantity,
                     theirs.filled_quantity, "filled quantity differs", cid)  # fmt: skip
    return None


def _positions(
    local: LocalBook, venue: VenueBook, unknown: Iterable[VenueFillReport], tol: Tolerances
) -> tuple[list[Break], set[str]]:
    pending: dict[str, float] = {}
    for fill in unknown:
        pending[fill.symbol] = pending.get(fill.symbol, 0.0) + fill.signed_quantity
    breaks: list[Break] = []
    unexplained: set[str] = set()
    for symbol in sorted(set(local.positions) | set(venue.positions) | set(pending)):
        mine = local.positions.get(symbol, 0.0)
        theirs = venue.positions.get(symbol, 0.0)
        if _differs(mine, theirs, tol.quantity):
            explained = not _differs(mine + pending.get(symbol, 0.0), theirs, tol.quantity)
            note = "explained by unknown fills" if explained else "unexplained"
            breaks.append(Break(BreakKind.POSITION, symbol, mine, theirs, note))
        if _differs(mine + pending.get(symbol, 0.0), theirs, tol.quantity):
            unexplained.add(symbol)
    return breaks, unexplained


def _cash(
    local: LocalBook, venue: VenueBook, unknown: Iterable[VenueFillReport], tol: Tolerances
) -> tuple[list[Break], bool]:
    flow = sum(-f.signed_quantity * f.price - f.commission for f in unknown)
    if not _differs(local.cash, venue.cash, tol.cash):
        return [], _differs(local.cash + flow, venue.cash, tol.cash)
    explained = not _differs(local.cash + flow, venue.cash, tol.cash)
    note = "explained by unknown fills" if explained else "unexplained"
    return [Break(BreakKind.CASH, None, local.cash, venue.cash, note)], not explained


def _locks(need: set[str], locked: frozenset[str]) -> list[Action]:
    lock = [
        Action(ActionKind.LOCK_REDUCE_ONLY, s, detail="unexplained break")
        for s in sorted(need - locked)
    ]
    unlock = [Action(ActionKind.UNLOCK, s, detail="clean again") for s in sorted(locked - need)]
    return lock + unlock


def _differs(a: float | None, b: float | None, tolerance: float) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(a - b) > tolerance
