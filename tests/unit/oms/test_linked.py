"""Brackets and OCO groups: the decisions the engine executes on fills and final statuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantrail.core import Order, OrderStatus, OrderType, Side
from quantrail.core.order_state import OrderEventKind as E
from quantrail.oms import LinkDecision, LinkRole, OrderLinks, OrderManager
from quantrail.oms.linked import PARENT_KEY
from tests.unit.oms.helpers import accepted, fill


class Engine:
    """Executes link decisions the way the engine will: create + attach, resize, cancel."""

    def __init__(self) -> None:
        self.oms = OrderManager(strict=False)
        self.links = OrderLinks()
        self.n = 0

    def fill(self, order: Order, quantity: float) -> LinkDecision:
        self.n += 1
        self.oms.apply_fill(order, fill(f"F{self.n}", order, quantity))
        decision = self.links.on_fill(order)
        self.execute(decision)
        if order.status.is_terminal:
            self.execute(self.links.on_terminal(order))
        return decision

    def execute(self, decision: LinkDecision) -> None:
        for child in decision.submit:
            order = self.oms.create(child.intent, "S", 0)
            self.oms.transition(order, E.SUBMIT, 0)
            self.oms.transition(order, E.ACCEPT, 0)
            self.execute(self.links.attach(child, order))
        for cid, quantity in decision.resize:
            order = self.oms.get(cid)
            assert order is not None
            order.quantity = quantity
        for cid in decision.cancel:
            order = self.oms.get(cid)
            assert order is not None
            self.oms.transition(order, E.CANCEL, 0)
            self.execute(self.links.on_terminal(order))

    def child(self, entry: Order, role: LinkRole) -> Order:
        (order,) = [o for o in self.links.children_of(entry.client_order_id)
                    if o.intent.state["link_role"] == role]  # fmt: skip
        return order


def _bracket(engine: Engine, quantity: float = 10, side: Side = Side.BUY) -> Order:
    entry = accepted(engine.oms, quantity, side=side)
    stop, target = (9.0, 12.0) if side is Side.BUY else (12.0, 9.0)
    engine.links.add_bracket(entry, stop, target)
    return entry


def test_exits_wait_for_the_entry_fill_and_are_sized_to_it():
    engine = Engine()
    entry = _bracket(engine)
    assert engine.links.children_of(entry.client_order_id) == []
    decision = engine.fill(entry, 4)
    assert [c.role for c in decision.submit] == [LinkRole.STOP, LinkRole.TARGET]
    stop, target = engine.child(entry, LinkRole.STOP), engine.child(entry, LinkRole.TARGET)
    assert (stop.quantity, target.quantity) == (4, 4)
    assert stop.side is Side.SELL
    assert stop.order_type is OrderType.STOP
    assert stop.stop_price == 9
    assert target.order_type is OrderType.LIMIT
    assert target.limit_price == 12
    assert stop.oco_group == target.oco_group == f"{entry.client_order_id}-oco"
    assert engine.links.parent_of(stop.client_order_id) == entry.client_order_id
    assert stop.intent.state[PARENT_KEY] == entry.client_order_id
    engine.fill(entry, 6)
    assert (stop.quantity, target.quantity) == (10, 10)


def test_a_partial_exit_fill_shrinks_the_sibling_and_cancels_the_rest_of_the_entry():
    engine = Engine()
    entry = _bracket(engine)
    engine.fill(entry, 6)
    stop, target = engine.child(entry, LinkRole.STOP), engine.child(entry, LinkRole.TARGET)
    decision = engine.fill(stop, 2)
    assert decision.cancel == (entry.client_order_id,)
    assert decision.resize == ((target.client_order_id, 4),)
    assert entry.status is OrderStatus.CANCELED
    assert stop.quantity == 6


def test_a_full_exit_fill_cancels_the_other_exit_and_closes_the_bracket():
    engine = Engine()
    entry = _bracket(engine, side=Side.SELL)
    engine.fill(entry, 10)
    stop, target = engine.child(entry, LinkRole.STOP), engine.child(entry, LinkRole.TARGET)
    assert stop.side is Side.BUY
    decision = engine.fill(target, 10)
    assert decision.cancel == (stop.client_order_id,)
    assert stop.status is OrderStatus.CANCELED
    assert not engine.links.is_linked(entry.client_order_id)
    assert engine.links.parent_of(stop.client_order_id) is None


def test_an_entry_canceled_before_any_fill_never_gets_exits():
    engine = Engine()
    entry = _bracket(engine)
    engine.oms.transition(entry, E.CANCEL, 1)
    assert engine.links.on_terminal(entry).empty
    assert not engine.links.is_linked(entry.client_order_id)


def test_decisions_are_idempotent_after_the_venue_shrank_the_sibling_itself():
    engine = Engine()
    entry = _bracket(engine)
    engine.fill(entry, 10)
    stop, target = engine.child(entry, LinkRole.STOP), engine.child(entry, LinkRole.TARGET)
    engine.fill(stop, 3)
    assert engine.links.on_fill(stop).empty  # target already 7: nothing more to do
    assert target.quantity == 7


def test_a_stop_only_bracket_has_no_oco_group():
    engine = Engine()
    entry = accepted(engine.oms, 5)
    engine.links.add_bracket(entry, 9.0, None, stop_limit_price=8.9)
    (child,) = engine.fill(entry, 5).submit
    assert child.intent.oco_group is None
    assert child.intent.order_type is OrderType.STOP_LIMIT


@pytest.mark.parametrize(
    ("side", "stop", "target"), [(Side.BUY, 12.0, 9.0), (Side.SELL, 9.0, 12.0), (Side.BUY, 9, 9)]
)
def test_a_stop_on_the_winning_side_is_refused(side, stop, target):
    engine = Engine()
    with pytest.raises(ValueError, match="losing side"):
        engine.links.add_bracket(accepted(engine.oms, 1, side=side), stop, target)


def test_bracket_registration_errors():
    engine = Engine()
    entry = accepted(engine.oms, 1)
    with pytest.raises(ValueError, match="needs a stop price"):
        engine.links.add_bracket(entry, None, None)
    engine.links.add_bracket(entry, 9.0, None)
    with pytest.raises(ValueError, match="already linked"):
        engine.links.add_bracket(entry, 9.0, None)


def test_oco_group_reduces_then_cancels_the_others():
    engine = Engine()
    a = accepted(engine.oms, 10, side=Side.SELL, order_type=OrderType.LIMIT, limit_price=12.0,
                 oco_group="g")  # fmt: skip
    b = accepted(engine.oms, 10, side=Side.SELL, order_type=OrderType.STOP, stop_price=9.0,
                 oco_group="g")  # fmt: skip
    assert engine.links.add_oco([a, b]) == "g"
    assert engine.fill(a, 3).resize == ((b.client_order_id, 7),)
    assert engine.fill(a, 7).cancel == (b.client_order_id,)
    assert b.status is OrderStatus.CANCELED
    assert not engine.links.is_linked(a.client_order_id)


def test_oco_registration_errors():
    engine = Engine()
    a = accepted(engine.oms, 1, oco_group="g")
    b = accepted(engine.oms, 1, oco_group="h")
    c = accepted(engine.oms, 1, oco_group="g", symbol="Y")
    with pytest.raises(ValueError, match="same oco_group"):
        engine.links.add_oco([a, b])
    with pytest.raises(ValueError, match="share one symbol"):
        engine.links.add_oco([a, c])


def test_unlinked_orders_get_empty_decisions():
    engine = Engine()
    order = accepted(engine.oms)
    assert engine.links.on_fill(order).empty
    assert engine.links.on_terminal(order).empty


@given(
    st.lists(st.floats(0.5, 5), min_size=1, max_size=5),
    st.lists(st.tuples(st.booleans(), st.floats(0.1, 5)), max_size=8),
)
def test_exits_never_exceed_the_open_position(entry_fills, exit_fills):
    """Whatever the order of entry and exit fills, working exits cover exactly what is open."""
    engine = Engine()
    entry = _bracket(engine, quantity=sum(entry_fills))
    for quantity in entry_fills:
        if entry.status.is_working:
            engine.fill(entry, min(quantity, entry.remaining))
        for use_stop, size in exit_fills[:2]:
            exits = [o for o in engine.links.children_of(entry.client_order_id)
                     if o.status.is_working]  # fmt: skip
            if exits:
                leg = exits[0] if use_stop or len(exits) == 1 else exits[1]
                engine.fill(leg, min(size, leg.remaining))
        exit_fills = exit_fills[2:]
        children = engine.links.children_of(entry.client_order_id) or []
        exited = sum(o.filled_quantity for o in children)
        open_quantity = entry.filled_quantity - exited
        assert open_quantity >= -1e-9
        for child in children:
            if child.status.is_working:
                assert child.remaining == pytest.approx(open_quantity)
