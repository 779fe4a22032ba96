"""Restoring orders recovered from the state store: own ids, progress, seen fills, the sequence."""

from __future__ import annotations

import math

import pytest

from quantrail.core import InvariantViolation, Order, OrderIntent, OrderStatus, OrderType, Side
from quantrail.oms import OrderManager, fill_from_report
from tests.unit.oms.helpers import venue_fill

S = OrderStatus


def recovered(
    cid: str,
    seq: int,
    status: OrderStatus,
    quantity: float = 10.0,
    filled: float = 0.0,
    strategy: str = "S",
    limit_price: float | None = None,
) -> Order:
    order_type = OrderType.MARKET if limit_price is None else OrderType.LIMIT
    intent = OrderIntent("X", Side.BUY, quantity, order_type, limit_price)
    order = Order(cid, seq, intent, strategy, 0)
    order.status = status
    order.filled_quantity = filled
    order.avg_fill_price = 10.0 if filled else math.nan
    order.commission = 0.5 if filled else 0.0
    return order


def test_restored_orders_keep_their_ids_and_new_ids_continue_after_the_max() -> None:
    oms = OrderManager(strict=False)
    oms.restore(recovered("S-3", 3, S.ACCEPTED))
    oms.restore(recovered("T-7", 7, S.FILLED, filled=10.0, strategy="T"))
    oms.restore(recovered("S-5", 5, S.PARTIALLY_FILLED, filled=4.0))  # not in sequence order
    assert oms.get("S-3") is not None
    assert oms.get("T-7") is not None
    assert oms.last_seq == 7
    new = oms.create(OrderIntent("X", Side.BUY, 1), "S", 10)
    assert (new.client_order_id, new.seq) == ("S-8", 8)


def test_the_sequence_never_moves_backwards() -> None:
    oms = OrderManager(strict=False, start_seq=20)
    oms.restore(recovered("S-4", 4, S.ACCEPTED))
    assert oms.create(OrderIntent("X", Side.BUY, 1), "S", 0).client_order_id == "S-21"


def test_progress_is_kept_and_working_follows_the_status() -> None:
    oms = OrderManager(strict=False)
    partial = recovered("S-1", 1, S.PARTIALLY_FILLED, filled=4.0)
    oms.restore(partial, venue_order_id="V-1")
    assert oms.working_orders() == [partial]
    assert (partial.filled_quantity, partial.avg_fill_price, partial.commission) == (4.0, 10.0, 0.5)
    assert oms.venue_order_id("S-1") == "V-1"


@pytest.mark.parametrize("status", [S.FILLED, S.CANCELED, S.REJECTED, S.EXPIRED])
def test_a_finished_order_stays_out_of_working(status: OrderStatus) -> None:
    oms = OrderManager(strict=False)
    done = recovered("S-2", 2, status, filled=10.0 if status is S.FILLED else 0.0)
    oms.restore(done)
    assert oms.working_orders() == []
    assert oms.get("S-2") is done
    assert oms.last_seq == 2


def test_a_redelivered_fill_for_a_restored_order_is_ignored() -> None:
    oms = OrderManager(strict=False)
    order = recovered("S-1", 1, S.PARTIALLY_FILLED, filled=4.0)
    oms.restore(order, ["E-1"])
    assert oms.has_fill("E-1")
    assert oms.apply_fill(order, fill_from_report(venue_fill("E-1", "S-1", 4.0))) is False
    assert order.filled_quantity == 4.0
    assert oms.anomalies == []
    # a new execution is booked on top of the restored progress and completes the order
    assert oms.apply_fill(order, fill_from_report(venue_fill("E-2", "S-1", 6.0, 20.0))) is True
    assert order.status is S.FILLED
    assert order.avg_fill_price == pytest.approx(16.0)
    assert oms.working_orders() == []


def test_restoring_the_same_order_again_is_a_noop() -> None:
    oms = OrderManager(strict=False)
    first = recovered("S-1", 1, S.ACCEPTED)
    oms.restore(first, ["E-1"])
    oms.restore(recovered("S-1", 1, S.ACCEPTED), ["E-2"])
    assert oms.get("S-1") is first
    assert oms.orders() == [first]
    assert oms.has_fill("E-1")
    assert oms.has_fill("E-2")


def test_a_known_id_with_different_terms_is_refused() -> None:
    oms = OrderManager(strict=False)
    oms.restore(recovered("S-1", 1, S.ACCEPTED, limit_price=9.5))
    with pytest.raises(InvariantViolation, match=r"S-1 is already known .*quantity, limit_price"):
        oms.restore(recovered("S-1", 1, S.ACCEPTED, quantity=11.0, limit_price=9.0))
    created = oms.create(OrderIntent("X", Side.BUY, 1), "S", 0)
    with pytest.raises(InvariantViolation, match="seq"):
        oms.restore(recovered(created.client_order_id, 99, S.ACCEPTED, quantity=1.0))
