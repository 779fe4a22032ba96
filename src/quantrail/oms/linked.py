"""Linked orders: brackets (entry + stop + target) and OCO groups, as pure decisions.

The registry never sends anything. After the order manager books a fill or a final status the
engine asks it what follows (``on_fill``, ``on_terminal``) and executes the
:class:`LinkDecision`: submit these child intents, resize these orders, cancel those.

Bracket rule. The exits exist only for quantity actually bought or sold: they are submitted on
the entry's first fill, sized to what has filled, resized as the entry fills further, and are
one-cancels-other with each other. With ``open = entry filled - exits filled``, every live exit
should have ``quantity = its own filled + open``; an exit whose size would fall to what it has
already filled is canceled. When an exit fills while the entry still works, the rest of the
entry is canceled: the trade was closed out, so adding to it would open a position nobody
decided on. A canceled entry with no fills closes the bracket without children.

OCO rule. A fill of one member takes its quantity off every other member (a partial stop fill
shrinks the target by as much); a member shrunk to its own filled quantity is canceled.

Both rules compare what should be with what is, so calling them twice, or after a venue (or
the simulator) already shrank a sibling itself, decides nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from quantrail.core.enums import OrderStatus, OrderType, Side, TimeInForce
from quantrail.core.orders import Order, OrderIntent

__all__ = ["PARENT_KEY", "ROLE_KEY", "ChildIntent", "LinkDecision", "LinkRole", "OrderLinks"]

PARENT_KEY = "parent_id"  # in a child intent's ``state``, so the audit trail shows the link
ROLE_KEY = "link_role"
_QTY_EPS = 1e-9


class LinkRole(StrEnum):
    STOP = "stop"
    TARGET = "target"


@dataclass(frozen=True, slots=True)
class ChildIntent:
    """An exit to submit for ``parent_id``; attach the created order with ``OrderLinks.attach``."""

    parent_id: str
    role: LinkRole
    intent: OrderIntent


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """What the engine must do next. ``resize`` pairs are (client order id, new total quantity)."""

    submit: tuple[ChildIntent, ...] = ()
    resize: tuple[tuple[str, float], ...] = ()
    cancel: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.submit or self.resize or self.cancel)


@dataclass(slots=True)
class _Bracket:
    entry: Order
    templates: dict[LinkRole, OrderIntent]
    children: dict[LinkRole, Order] = field(default_factory=dict)
    submitted: bool = False


@dataclass(slots=True)
class _Oco:
    members: list[Order]
    original: dict[str, float]


def _live(order: Order) -> bool:
    """Working and not already being canceled: the orders a decision may still change."""
    return order.status.is_working and order.status is not OrderStatus.PENDING_CANCEL


class OrderLinks:
    """Which orders are tied to which, and what a fill or a final status of one implies."""

    def __init__(self) -> None:
        self._brackets: dict[str, _Bracket] = {}  # by entry id
        self._parent: dict[str, str] = {}  # child id -> entry id
        self._oco: dict[str, _Oco] = {}  # by group id
        self._oco_of: dict[str, str] = {}  # member id -> group id

    # -- registration ------------------------------------------------------------------------
    def add_bracket(
        self,
        entry: Order,
        stop_price: float | None,
        target_price: float | None,
        *,
        stop_limit_price: float | None = None,
        time_in_force: TimeInForce = TimeInForce.GTC,
    ) -> str:
        """Tie a stop and/or a target to ``entry``; return the exits' OCO group id."""
        cid = entry.client_order_id
        if stop_price is None and target_price is None:
            raise ValueError(f"bracket of {cid} needs a stop price, a target price or both")
        if cid in self._brackets or cid in self._parent:
            raise ValueError(f"order {cid} is already linked")
        if stop_price is not None and target_price is not None:
            below, above = (
                (stop_price, target_price) if entry.side > 0 else (target_price, stop_price)
            )
            if not below < above:
                raise ValueError(
                    f"bracket of {cid} ({entry.side.label}): the stop {stop_price} must lie on "
                    f"the losing side of the target {target_price}"
                )
        group = f"{cid}-oco" if stop_price is not None and target_price is not None else None
        exit_side = Side(-int(entry.side))
        state = {PARENT_KEY: cid}
        templates: dict[LinkRole, OrderIntent] = {}
        if stop_price is not None:
            kind = OrderType.STOP if stop_limit_price is None else OrderType.STOP_LIMIT
            templates[LinkRole.STOP] = OrderIntent(
                entry.symbol, exit_side, 0.0, kind, stop_limit_price, stop_price, time_in_force,
                f"bracket stop of {cid}", {**state, ROLE_KEY: "stop"}, group,
            )  # fmt: skip
        if target_price is not None:
            templates[LinkRole.TARGET] = OrderIntent(
                entry.symbol, exit_side, 0.0, OrderType.LIMIT, target_price, None, time_in_force,
                f"bracket target of {cid}", {**state, ROLE_KEY: "target"}, group,
            )  # fmt: skip
        self._brackets[cid] = _Bracket(entry, templates)
        return group or f"{cid}-exit"

    def add_oco(self, orders: Sequence[Order]) -> str:
        """Register working orders sharing one ``oco_group`` as one-cancels-other."""
        groups = {o.oco_group for o in orders}
        if len(orders) < 2 or len(groups) != 1 or None in groups:
            raise ValueError("an OCO group needs two or more orders with the same oco_group")
        if len({o.symbol for o in orders}) != 1:
            raise ValueError("the orders of an OCO group must share one symbol")
        group = str(orders[0].oco_group)
        self._oco[group] = _Oco(list(orders), {o.client_order_id: o.quantity for o in orders})
        for order in orders:
            self._oco_of[order.client_order_id] = group
        return group

    def attach(self, child: ChildIntent, order: Order) -> LinkDecision:
        """Record the order the engine created for ``child``; returns a resize if the entry
        filled further between the decision and now."""
        bracket = self._brackets[child.parent_id]
        bracket.children[child.role] = order
        self._parent[order.client_order_id] = child.parent_id
        return self._rebalance(bracket, exit_filled=False)

    # -- queries -----------------------------------------------------------------------------
    def parent_of(self, client_order_id: str) -> str | None:
        return self._parent.get(client_order_id)

    def children_of(self, entry_id: str) -> list[Order]:
        bracket = self._brackets.get(entry_id)
        return [] if bracket is None else list(bracket.children.values())

    def is_linked(self, client_order_id: str) -> bool:
        cid = client_order_id
        return cid in self._brackets or cid in self._parent or cid in self._oco_of

    # -- decisions ---------------------------------------------------------------------------
    def on_fill(self, order: Order) -> LinkDecision:
        """Call after a fill of ``order`` was booked (its filled quantity already updated)."""
        cid = order.client_order_id
        if cid in self._brackets:
            return self._rebalance(self._brackets[cid], exit_filled=False)
        if cid in self._parent:
            return self._rebalance(self._brackets[self._parent[cid]], exit_filled=True)
        if cid in self._oco_of:
            return self._rebalance_oco(self._oco[self._oco_of[cid]])
        return LinkDecision()

    def on_terminal(self, order: Order) -> LinkDecision:
        """Call when ``order`` reached a final status; forgets links that can do nothing more."""
        cid = order.client_order_id
        entry_id = cid if cid in self._brackets else self._parent.get(cid)
        if entry_id is not None:
            bracket = self._brackets[entry_id]
            decision = self._rebalance(bracket, exit_filled=False)
            if self._bracket_done(bracket):
                self._forget_bracket(entry_id)
            return decision
        group = self._oco_of.get(cid)
        if group is not None and all(o.status.is_terminal for o in self._oco[group].members):
            for member in self._oco.pop(group).members:
                self._oco_of.pop(member.client_order_id, None)
        return LinkDecision()

    def _rebalance(self, bracket: _Bracket, *, exit_filled: bool) -> LinkDecision:
        entry = bracket.entry
        if not bracket.submitted:
            if entry.filled_quantity <= _QTY_EPS:
                return LinkDecision()
            bracket.submitted = True
            return LinkDecision(submit=self._child_intents(bracket))
        exits = list(bracket.children.values())
        open_quantity = entry.filled_quantity - sum(o.filled_quantity for o in exits)
        resize: list[tuple[str, float]] = []
        cancel: list[str] = []
        if exit_filled and _live(entry):
            cancel.append(entry.client_order_id)
        for child in exits:
            if not _live(child):
                continue
            desired = child.filled_quantity + max(open_quantity, 0.0)
            if desired <= child.filled_quantity + _QTY_EPS:
                cancel.append(child.client_order_id)
            elif abs(desired - child.quantity) > _QTY_EPS:
                resize.append((child.client_order_id, desired))
        return LinkDecision(resize=tuple(resize), cancel=tuple(cancel))

    def _child_intents(self, bracket: _Bracket) -> tuple[ChildIntent, ...]:
        entry = bracket.entry
        out = []
        for role, template in bracket.templates.items():
            intent = OrderIntent(
                template.symbol, template.side, entry.filled_quantity, template.order_type,
                template.limit_price, template.stop_price, template.time_in_force,
                template.reason, dict(template.state), template.oco_group,
            )  # fmt: skip
            out.append(ChildIntent(entry.client_order_id, role, intent))
        return tuple(out)

    def _rebalance_oco(self, group: _Oco) -> LinkDecision:
        filled = {o.client_order_id: o.filled_quantity for o in group.members}
        total = sum(filled.values())
        resize: list[tuple[str, float]] = []
        cancel: list[str] = []
        for member in group.members:
            if not _live(member):
                continue
            cid = member.client_order_id
            desired = group.original[cid] - (total - filled[cid])
            if desired <= member.filled_quantity + _QTY_EPS:
                cancel.append(cid)
            elif abs(desired - member.quantity) > _QTY_EPS:
                resize.append((cid, desired))
        return LinkDecision(resize=tuple(resize), cancel=tuple(cancel))

    @staticmethod
    def _bracket_done(bracket: _Bracket) -> bool:
        """The entry is final and either never filled or every exit it got is final too."""
        if not bracket.entry.status.is_terminal:
            return False
        if not bracket.submitted:
            return True
        children = bracket.children.values()
        attached = len(bracket.children) == len(bracket.templates)
        return attached and all(o.status.is_terminal for o in children)

    def _forget_bracket(self, entry_id: str) -> None:
        bracket = self._brackets.pop(entry_id)
        for child in bracket.children.values():
            self._parent.pop(child.client_order_id, None)
