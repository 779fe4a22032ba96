"""Invariants of the simulator over random bars and orders."""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from quantrail.core import Bar, Instrument, OrderIntent, OrderType, Side, TimeInForce
from quantrail.core.order_state import OrderEventKind
from quantrail.execution import ExecutionConfig, FillSimulator
from quantrail.runtime import SimulatedClock
from tests.unit.execution.conftest import MINUTE, Recorder

bars = st.lists(
    st.tuples(
        st.floats(50, 150), st.floats(0, 5), st.floats(0, 5), st.floats(-1, 1),
        st.integers(0, 5_000),
    ),
    min_size=1,
    max_size=25,
)  # fmt: skip
orders = st.lists(
    st.tuples(
        st.sampled_from(list(Side)),
        st.sampled_from(list(OrderType)),
        st.integers(1, 3_000),
        st.floats(-10, 10),
        st.sampled_from(list(TimeInForce)),
        st.integers(0, 24),
    ),
    max_size=12,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(bars, orders, st.sampled_from([None, 0.05, 0.5]), st.sampled_from(["0s", "30s", "90s"]))
def test_fills_never_exceed_order_quantity_or_allowed_volume(bar_specs, order_specs, cap, latency):
    config = ExecutionConfig.model_validate({"max_volume_share": cap, "latency": latency})
    clock = SimulatedClock(0)
    recorder = Recorder()
    sim = FillSimulator(config, {"X": Instrument("X")}, recorder, clock)
    by_bar = defaultdict(list)
    for spec in order_specs:
        by_bar[spec[5]].append(spec)
    ranges = {}
    for minute, (mid, up, down, drift, volume) in enumerate(bar_specs):
        open_ = round(mid, 2)
        close = round(max(open_ + drift, 1.0), 2)
        high = round(max(open_, close) + up, 2)
        low = round(max(min(open_, close) - down, 0.5), 2)
        ts = (minute + 1) * MINUTE
        clock.ts = ts
        bar = Bar(
            "X", ts, minute * MINUTE, open_, high, low, close, float(volume), session=minute // 10
        )
        ranges[minute] = (low, high, volume)
        before = len(recorder.fills)
        sim.on_bar(bar, 0.01)
        taken = sum(f.quantity for f in recorder.fills[before:])
        if cap is not None:
            assert taken <= cap * volume + 1e-9
        for fill in recorder.fills[before:]:
            assert low - 1e-9 <= fill.reference_price <= high + 1e-9
            assert fill.commission >= 0
            assert fill.spread_cost >= 0
            assert fill.slippage_cost >= -1e-9
            assert (
                fill.price >= fill.reference_price
                if fill.side is Side.BUY
                else (fill.price <= fill.reference_price)
            )
        for side, kind, quantity, offset, tif, _ in by_bar.get(minute, []):
            price = round(close + offset, 2) if close + offset > 1 else 1.0
            intent = OrderIntent(
                "X", side, quantity, kind,
                limit_price=price if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None,
                stop_price=price if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
                time_in_force=tif,
            )  # fmt: skip
            order = recorder.oms.create(intent, "P", ts)
            recorder.oms.transition(order, OrderEventKind.SUBMIT, ts)
            sim.submit(order)
    filled = defaultdict(float)
    for fill in recorder.fills:
        filled[fill.client_order_id] += fill.quantity
    for order in recorder.oms.orders():
        assert filled[order.client_order_id] <= order.quantity + 1e-9
        assert math.isclose(filled[order.client_order_id], order.filled_quantity, abs_tol=1e-9)
        if order.time_in_force is TimeInForce.FOK:
            assert filled[order.client_order_id] in (0, order.quantity)
