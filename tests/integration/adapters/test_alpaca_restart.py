"""(g) "kill -9 between sending an order and recording its ack, then a restart".

The crash is simulated by writing the submit intent, sending the order and dropping the harness
without recording anything else: the store holds a NEW order, the venue a working one. A fresh
harness built from ``StateStore.load_state()`` must resolve it by client order id, send nothing,
and end with the venue's order and position.
"""

from __future__ import annotations

from quantrail.core.enums import OrderStatus, Side
from quantrail.core.orders import OrderIntent
from quantrail.oms import ResolutionKind
from quantrail.store.state import StateStore
from tests.integration.emulator_trading.helpers import client_for, start

from .checks import assert_matches_venue
from .harness import LiveExecutionHarness


def test_g_a_crash_after_sending_is_recovered_without_a_second_order(store: StateStore) -> None:
    with start() as emu:
        with LiveExecutionHarness(emu, store=store).running() as before:
            store.snapshot_account(0, 100_000.0, 100_000.0, 100_000.0)
            order = before.oms.create(OrderIntent("AAPL", Side.BUY, 10), "s1", 1)
            store.record_submit_intent(order)
            before.adapter.submit(order)  # ...and the process dies here
        emu.advance_bars(1)  # the venue fills it while the engine is down
        state = store.load_state()
        assert [o.client_order_id for o in state.unresolved_submits] == ["s1-1"]

        after = LiveExecutionHarness.recover(emu, store)
        # Restart order (docs/state-store.md): resolve the unknown submits first, then listen.
        [resolution] = after.resolve()
        with after.running():
            assert resolution.kind is ResolutionKind.FOUND
            assert resolution.missing_fill_quantity == 10
            recovered = after.oms.get("s1-1")
            assert recovered is not None
            assert recovered.status is OrderStatus.FILLED
            after.settle()
            assert after.portfolio.position("AAPL") == 10
            assert emu.stats.orders_submitted == 1  # nothing was sent again
            assert [c.name for c in after.adapter.calls].count("submit") == 0
            assert_matches_venue(after, emu, client_for(emu), orders_at_venue=1)
        assert store.load_state().unresolved_submits == ()


def test_g_a_crash_before_the_order_left_is_rejected_after_the_window(store: StateStore) -> None:
    with start() as emu:
        with LiveExecutionHarness(emu, store=store).running() as before:
            order = before.oms.create(OrderIntent("AAPL", Side.BUY, 10), "s1", 1)
            store.record_submit_intent(order)  # ...and the process dies before sending
        after = LiveExecutionHarness.recover(emu, store)
        [resolution] = after.resolve()  # since ts 1 (the intent): the window has passed
        with after.running():
            assert resolution.kind is ResolutionKind.NOT_PLACED
            recovered = after.oms.get("s1-1")
            assert recovered is not None
            assert recovered.status is OrderStatus.REJECTED
            assert emu.stats.orders_submitted == 0
            assert_matches_venue(after, emu, client_for(emu), orders_at_venue=0)
