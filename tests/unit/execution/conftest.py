from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest

from quantrail.core import Bar, Fill, Instrument, Order, OrderIntent, OrderType, Side, TimeInForce
from quantrail.core.order_state import OrderEventKind
from quantrail.execution import ExecutionConfig, FillSimulator
from quantrail.oms import OrderManager
from quantrail.runtime import SimulatedClock

MINUTE = 60_000_000_000


@dataclass
class Recorder:
    """A VenueListener that books into a real OrderManager and keeps what it was told."""

    oms: OrderManager = field(default_factory=OrderManager)
    fills: list[Fill] = field(default_factory=list)
    events: list[tuple[str, OrderEventKind, str]] = field(default_factory=list)

    def on_venue_fill(self, order: Order, fill: Fill) -> None:
        if self.oms.apply_fill(order, fill):
            self.fills.append(fill)

    def on_venue_event(self, order: Order, kind: OrderEventKind, ts: int, reason: str) -> None:
        self.oms.transition(order, kind, ts, reason)
        self.events.append((order.client_order_id, kind, reason))


@dataclass
class Venue:
    sim: FillSimulator
    clock: SimulatedClock
    rec: Recorder

    def order(
        self,
        side: Side,
        quantity: float,
        order_type: OrderType = OrderType.MARKET,
        *,
        limit: float | None = None,
        stop: float | None = None,
        tif: TimeInForce = TimeInForce.GTC,
        oco: str | None = None,
        symbol: str = "X",
    ) -> Order:
        intent = OrderIntent(symbol, side, quantity, order_type, limit, stop, tif, oco_group=oco)
        order = self.rec.oms.create(intent, "T", self.clock.ts)
        self.rec.oms.transition(order, OrderEventKind.SUBMIT, self.clock.ts)
        self.sim.submit(order)
        return order

    def bar(
        self,
        minute: int,
        o: float,
        h: float,
        low: float,
        c: float,
        v: float = 1e9,
        sigma: float = 0.0,
        session: int = 0,
        symbol: str = "X",
    ) -> None:
        ts = (minute + 1) * MINUTE
        self.clock.ts = ts
        self.sim.on_bar(
            Bar(symbol, ts, minute * MINUTE, o, h, low, c, v, math.nan, math.nan, session), sigma
        )


def zero_cost(**overrides: object) -> ExecutionConfig:
    base: dict[str, object] = {
        "commission": {"per_share": 0.0, "minimum": 0.0},
        "spread_bps": 0.0,
        "slippage": {"fixed_bps": 0.0, "volatility_factor": 0.0, "impact_factor": 0.0},
        "max_volume_share": None,
    }
    base.update(overrides)
    return ExecutionConfig.model_validate(base)


@pytest.fixture
def make_venue():
    def make(config: ExecutionConfig | None = None, tick: float = 0.01, lot: float = 1.0) -> Venue:
        clock = SimulatedClock(0)
        rec = Recorder()
        instruments = {s: Instrument(s, tick, lot) for s in ("X", "Y")}
        sim = FillSimulator(config or zero_cost(), instruments, rec, clock)
        return Venue(sim, clock, rec)

    return make
