"""The contradictory-command rule: cancel the working opposite order first, then submit."""

from __future__ import annotations

from quantrail.core import OrderIntent, OrderStatus, OrderType, Side
from quantrail.core.order_state import OrderEventKind as E
from quantrail.oms import (
    CommandAction,
    HeldCommand,
    OrderManager,
    Release,
    decide_command,
    release_held,
)
from quantrail.oms.linked import PARENT_KEY
from tests.unit.oms.helpers import accepted, fill

BUY = OrderIntent("X", Side.BUY, 5, OrderType.LIMIT, 10.0)


def _held(oms: OrderManager) -> tuple[HeldCommand, str]:
    sell = accepted(oms, 5, side=Side.SELL, order_type=OrderType.LIMIT, limit_price=11.0)
    decision = decide_command(BUY, "S", oms.working_orders())
    return HeldCommand(BUY, "S", decision.wait_on, 100), sell.client_order_id


def test_a_buy_against_a_working_sell_cancels_the_sell_first():
    oms = OrderManager(strict=False)
    sell = accepted(oms, 5, side=Side.SELL, order_type=OrderType.LIMIT, limit_price=11.0)
    decision = decide_command(BUY, "S", oms.working_orders())
    assert decision.action is CommandAction.CANCEL_THEN_SUBMIT
    assert decision.cancel == (sell.client_order_id,)
    assert decision.wait_on == ((sell.client_order_id, 0.0),)
    assert sell.client_order_id in decision.reason


def test_an_order_already_being_canceled_is_waited_on_not_canceled_twice():
    oms = OrderManager(strict=False)
    sell = accepted(oms, 5, side=Side.SELL)
    oms.transition(sell, E.CANCEL_REQUEST, 1)
    decision = decide_command(BUY, "S", oms.working_orders())
    assert decision.cancel == ()
    assert decision.wait_on == ((sell.client_order_id, 0.0),)


def test_not_contradictory():
    oms = OrderManager(strict=False)
    accepted(oms, 5, side=Side.BUY)  # same side: scaling in
    accepted(oms, 5, side=Side.SELL, strategy="other")  # another strategy
    accepted(oms, 5, side=Side.SELL, symbol="Y")  # another symbol
    accepted(oms, 5, side=Side.SELL, order_type=OrderType.STOP, stop_price=9.0)  # protective
    accepted(oms, 5, side=Side.SELL, oco_group="g")  # an OCO leg
    accepted(oms, 5, side=Side.SELL, state={PARENT_KEY: "S-1"})  # a bracket exit
    assert decide_command(BUY, "S", oms.working_orders()).action is CommandAction.PROCEED


def test_a_new_protective_order_always_proceeds():
    oms = OrderManager(strict=False)
    accepted(oms, 5, side=Side.BUY)
    stop = OrderIntent("X", Side.SELL, 5, OrderType.STOP, None, 9.0)
    assert decide_command(stop, "S", oms.working_orders()).action is CommandAction.PROCEED


def test_held_order_waits_then_goes_once_the_opposite_is_canceled():
    oms = OrderManager(strict=False)
    held, sell_id = _held(oms)
    sell = oms.get(sell_id)
    assert sell is not None
    assert release_held(held, oms.get, 150, 1000)[0] is Release.WAIT
    oms.transition(sell, E.CANCEL, 160)
    assert release_held(held, oms.get, 170, 1000) == (Release.SUBMIT, "opposite orders are final")


def test_held_order_is_dropped_when_the_opposite_filled_meanwhile():
    oms = OrderManager(strict=False)
    held, sell_id = _held(oms)
    sell = oms.get(sell_id)
    assert sell is not None
    oms.apply_fill(sell, fill("F1", sell, 2))
    release, why = release_held(held, oms.get, 150, 1000)
    assert release is Release.DROP
    assert "filled while being canceled" in why


def test_held_order_is_dropped_when_the_cancel_never_confirms():
    oms = OrderManager(strict=False)
    held, _ = _held(oms)
    assert release_held(held, oms.get, 1100, 1000)[0] is Release.DROP


def test_an_order_unknown_to_the_manager_does_not_block():
    held = HeldCommand(BUY, "S", (("gone", 0.0),), 0)
    assert release_held(held, lambda cid: None, 1, 1000)[0] is Release.SUBMIT


def test_filled_opposite_order_is_final_and_is_not_contradictory_any_more():
    oms = OrderManager(strict=False)
    sell = accepted(oms, 5, side=Side.SELL)
    oms.apply_fill(sell, fill("F1", sell, 5))
    assert sell.status is OrderStatus.FILLED
    assert decide_command(BUY, "S", oms.orders()).action is CommandAction.PROCEED
