"""Reconciliation: a book against itself is clean; each injected difference is one break."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from quantrail.core import OrderStatus, Side
from quantrail.oms import (
    ACCOUNT,
    ActionKind,
    BreakKind,
    LocalBook,
    LocalOrder,
    OrderManager,
    Tolerances,
    VenueBook,
    VenueOrderReport,
    fill_from_report,
    local_book,
    reconcile,
)
from tests.unit.oms.helpers import accepted, report, venue_fill

SYMBOLS = ["A", "B", "C"]


@st.composite
def local_books(draw: st.DrawFn) -> LocalBook:
    positions = draw(st.dictionaries(st.sampled_from(SYMBOLS), st.integers(-50, 50).map(float)))
    cash = draw(st.integers(0, 10**8)) / 100
    buying_power = draw(st.none() | st.integers(0, 10**6).map(float))
    working = {}
    for i, (symbol, side, quantity, filled) in enumerate(
        draw(
            st.lists(
                st.tuples(
                    st.sampled_from(SYMBOLS),
                    st.sampled_from(list(Side)),
                    st.integers(2, 20),
                    st.integers(0, 1),
                ),
                max_size=4,
            )
        )
    ):
        cid = f"S-{i + 1}"
        status = OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.ACCEPTED
        working[cid] = LocalOrder(cid, symbol, side, float(quantity), float(filled), status)
    fill_ids = frozenset(draw(st.lists(st.sampled_from(["T1", "T2", "T3"]), unique=True)))
    return LocalBook(positions, cash, buying_power, working, fill_ids)


def mirror(local: LocalBook) -> VenueBook:
    orders = {
        cid: VenueOrderReport(
            cid, f"V{cid}", o.symbol, o.side, o.quantity, o.filled_quantity, 10.0, o.status, 0
        )
        for cid, o in local.working.items()
    }
    known = [venue_fill(fid, "S-0", 1) for fid in sorted(local.fill_ids)]  # already booked
    return VenueBook(dict(local.positions), local.cash, local.buying_power, orders, known)


@given(local_books())
def test_a_book_reconciled_with_itself_has_no_breaks_and_no_actions(local):
    result = reconcile(local, mirror(local))
    assert result.clean
    assert result.breaks == ()
    assert result.actions == ()


@given(local_books(), st.integers(1, 30))
def test_a_position_difference_is_one_break_and_locks_the_symbol(local, delta):
    venue = mirror(local)
    positions = dict(venue.positions)
    positions["B"] = positions.get("B", 0.0) + delta
    result = reconcile(local, dataclasses.replace(venue, positions=positions))
    (brk,) = result.breaks
    assert (brk.kind, brk.symbol, brk.venue - (brk.local or 0)) == (BreakKind.POSITION, "B", delta)
    assert [(a.kind, a.symbol) for a in result.actions] == [(ActionKind.LOCK_REDUCE_ONLY, "B")]


@given(local_books(), st.integers(2, 10**6))
def test_a_cash_difference_is_one_break_and_locks_the_account(local, cents):
    venue = mirror(local)
    result = reconcile(local, dataclasses.replace(venue, cash=venue.cash + cents / 100))
    assert [b.kind for b in result.breaks] == [BreakKind.CASH]
    assert [(a.kind, a.symbol) for a in result.actions] == [(ActionKind.LOCK_REDUCE_ONLY, ACCOUNT)]


@given(local_books(), st.integers(2, 10**4))
def test_a_buying_power_difference_is_reported_not_acted_on(local, delta):
    venue = mirror(local)
    bp = None if local.buying_power is not None and delta % 2 else (local.buying_power or 0) + delta
    result = reconcile(local, dataclasses.replace(venue, buying_power=bp))
    assert [b.kind for b in result.breaks] == [BreakKind.BUYING_POWER]
    assert result.actions == ()


@given(local_books(), st.sampled_from(SYMBOLS))
def test_an_order_unknown_locally_is_adopted(local, symbol):
    venue = mirror(local)
    orders = dict(venue.orders)
    orders["ext-1"] = report("ext-1", quantity=3, symbol=symbol)
    result = reconcile(local, dataclasses.replace(venue, orders=orders))
    (brk,) = result.breaks
    assert (brk.kind, brk.ref, brk.venue) == (BreakKind.EXTERNAL_ORDER, "ext-1", 3)
    (action,) = result.actions
    assert action.kind is ActionKind.ADOPT_ORDER
    assert action.order == orders["ext-1"]


@given(local_books().filter(lambda b: bool(b.working)), st.booleans())
def test_an_order_missing_at_the_venue_is_queried_or_terminated(local, listed_closed):
    venue = mirror(local)
    orders = dict(venue.orders)
    cid, gone = orders.popitem()
    closed = {cid: dataclasses.replace(gone, status=OrderStatus.CANCELED)} if listed_closed else {}
    result = reconcile(local, dataclasses.replace(venue, orders=orders, closed=closed))
    (brk,) = result.breaks
    assert (brk.kind, brk.ref) == (BreakKind.MISSING_ORDER, cid)
    (action,) = result.actions
    if listed_closed:
        assert (action.kind, action.status) == (ActionKind.MARK_TERMINAL, OrderStatus.CANCELED)
    else:
        assert (action.kind, action.client_order_id) == (ActionKind.QUERY_ORDER, cid)


@given(local_books().filter(lambda b: bool(b.working)), st.sampled_from(["quantity", "filled"]))
def test_an_order_that_differs_is_one_mismatch_and_locks_its_symbol(local, what):
    venue = mirror(local)
    orders = dict(venue.orders)
    cid = sorted(orders)[0]
    theirs = orders[cid]
    if what == "quantity":
        orders[cid] = dataclasses.replace(theirs, quantity=theirs.quantity + 1)
    else:
        orders[cid] = dataclasses.replace(theirs, filled_quantity=theirs.filled_quantity + 1)
    result = reconcile(local, dataclasses.replace(venue, orders=orders))
    (brk,) = result.breaks
    assert (brk.kind, brk.ref) == (BreakKind.ORDER_MISMATCH, cid)
    assert [(a.kind, a.symbol) for a in result.actions] == [
        (ActionKind.LOCK_REDUCE_ONLY, theirs.symbol)
    ]


@given(local_books(), st.integers(1, 9), st.sampled_from(list(Side)))
def test_an_unknown_fill_is_one_break_and_is_adopted(local, quantity, side):
    venue = mirror(local)
    extra = venue_fill("T-new", "ext-9", quantity, 20.0, symbol="C", side=side)
    result = reconcile(local, dataclasses.replace(venue, fills=[*venue.fills, extra]))
    (brk,) = result.breaks
    assert (brk.kind, brk.ref, brk.venue) == (BreakKind.EXTERNAL_FILL, "T-new", quantity * side)
    assert result.actions[0].kind is ActionKind.ADOPT_FILL
    assert result.actions[0].fill == extra
    # Positions and cash did not move with it at the venue, so adopting it alone cannot be right.
    assert {(a.kind, a.symbol) for a in result.actions[1:]} == {
        (ActionKind.LOCK_REDUCE_ONLY, "C"),
        (ActionKind.LOCK_REDUCE_ONLY, ACCOUNT),
    }


def test_an_external_fill_that_explains_the_position_and_cash_needs_no_lock():
    local = LocalBook({"A": 5.0}, 1000.0, None, {}, frozenset())
    fill = venue_fill("T9", "ext-1", 2, 10.0, symbol="A", commission=1.0)
    venue = VenueBook({"A": 7.0}, 979.0, None, {}, [fill])
    result = reconcile(local, venue)
    assert [b.kind for b in result.breaks] == [
        BreakKind.POSITION,
        BreakKind.CASH,
        BreakKind.EXTERNAL_FILL,
    ]
    assert all(b.detail == "explained by unknown fills" for b in result.breaks[:2])
    assert [a.kind for a in result.actions] == [ActionKind.ADOPT_FILL]


def test_fills_of_a_known_order_explain_its_filled_quantity():
    order = LocalOrder("S-1", "A", Side.BUY, 10, 0, OrderStatus.ACCEPTED)
    local = LocalBook({}, 0.0, None, {"S-1": order}, frozenset())
    theirs = report("S-1", OrderStatus.PARTIALLY_FILLED, 10, 4, symbol="A")
    fill = venue_fill("T1", "S-1", 4, 0.0, symbol="A")
    result = reconcile(local, VenueBook({"A": 4.0}, 0.0, None, {"S-1": theirs}, [fill]))
    assert {b.kind for b in result.breaks} == {BreakKind.POSITION, BreakKind.EXTERNAL_FILL}
    assert [a.kind for a in result.actions] == [ActionKind.ADOPT_FILL]


def test_a_replace_in_flight_is_not_a_quantity_mismatch():
    order = LocalOrder("S-1", "A", Side.BUY, 10, 0, OrderStatus.PENDING_REPLACE)
    local = LocalBook({}, 0.0, None, {"S-1": order}, frozenset())
    venue = VenueBook({}, 0.0, None, {"S-1": report("S-1", quantity=6, symbol="A")}, [])
    assert reconcile(local, venue).clean


def test_side_or_symbol_mismatch_is_a_break():
    order = LocalOrder("S-1", "A", Side.BUY, 10, 0, OrderStatus.ACCEPTED)
    local = LocalBook({}, 0.0, None, {"S-1": order}, frozenset())
    venue = VenueBook({}, 0.0, None, {"S-1": report("S-1", symbol="A", side=Side.SELL)}, [])
    (brk,) = reconcile(local, venue).breaks
    assert brk.kind is BreakKind.ORDER_MISMATCH
    assert "sell A" in brk.detail


def test_locks_are_released_once_clean_and_kept_while_broken():
    local = LocalBook({"A": 1.0, "B": 1.0}, 0.0, None, {}, frozenset(), frozenset({"A", "B"}))
    venue = VenueBook({"A": 1.0, "B": 2.0}, 0.0, None, {}, [])
    result = reconcile(local, venue)
    assert [(a.kind, a.symbol) for a in result.actions] == [(ActionKind.UNLOCK, "A")]


def test_tolerances_absorb_rounding():
    local = LocalBook({"A": 1.0}, 100.0, 50.0, {}, frozenset())
    venue = VenueBook({"A": 1.0 + 1e-12}, 100.004, 50.5, {}, [])
    assert reconcile(local, venue).clean
    assert not reconcile(local, venue, Tolerances(cash=0.001)).clean


def test_the_result_does_not_depend_on_the_order_fills_arrive_in():
    local = LocalBook({}, 0.0, None, {}, frozenset())
    fills = [venue_fill(f"T{i}", "e", 1, symbol=s) for i, s in enumerate("CAB")]
    first = reconcile(local, VenueBook({}, 0.0, None, {}, fills))
    second = reconcile(local, VenueBook({}, 0.0, None, {}, fills[::-1]))
    assert first == second
    assert [b.ref for b in first.breaks] == ["T1", "T2", "T0"]  # by symbol, then id


def test_local_book_snapshots_the_order_manager():
    oms = OrderManager(strict=False)
    order = accepted(oms, 4, symbol="A")
    oms.apply_fill(order, fill_from_report(venue_fill("T1", order.client_order_id, 1, symbol="A")))
    book = local_book(oms, {"A": 1.0}, 90.0, None)
    assert book.fill_ids == frozenset({"T1"})
    assert book.working[order.client_order_id] == LocalOrder(
        order.client_order_id, "A", Side.BUY, 4, 1, OrderStatus.PARTIALLY_FILLED
    )
