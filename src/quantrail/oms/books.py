"""The two snapshots reconciliation compares: the local book and the venue's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from quantrail.core.enums import OrderStatus, Side
from quantrail.oms.manager import OrderManager
from quantrail.oms.reports import VenueFillReport, VenueOrderReport

__all__ = ["ACCOUNT", "LocalBook", "LocalOrder", "Tolerances", "VenueBook", "local_book"]

ACCOUNT = "*"  # the "symbol" of an account-wide lock (an unexplained cash difference)


@dataclass(frozen=True, slots=True)
class Tolerances:
    """Differences at or below these are equal: quantities in units, money in account currency."""

    quantity: float = 1e-9
    cash: float = 0.01
    buying_power: float = 1.0


@dataclass(frozen=True, slots=True)
class LocalOrder:
    """A working order as the local order manager has it."""

    client_order_id: str
    symbol: str
    side: Side
    quantity: float
    filled_quantity: float
    status: OrderStatus


@dataclass(frozen=True, slots=True)
class LocalBook:
    """``fill_ids``: every fill id booked locally; ``locked``: symbols (and ``ACCOUNT``) that an
    earlier pass locked to reduce-only."""

    positions: Mapping[str, float]
    cash: float
    buying_power: float | None
    working: Mapping[str, LocalOrder]
    fill_ids: frozenset[str]
    locked: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class VenueBook:
    """``orders``: the venue's open orders; ``fills``: its executions since the last execution id
    the local book has seen; ``closed``: recently finished orders, when the venue lists them."""

    positions: Mapping[str, float]
    cash: float
    buying_power: float | None
    orders: Mapping[str, VenueOrderReport]
    fills: Sequence[VenueFillReport]
    closed: Mapping[str, VenueOrderReport] = field(default_factory=dict)


def local_book(
    oms: OrderManager,
    positions: Mapping[str, float],
    cash: float,
    buying_power: float | None,
    locked: frozenset[str] = frozenset(),
) -> LocalBook:
    """Snapshot the order manager (working orders, booked fill ids) with the portfolio's
    positions and cash, which the caller reads from its portfolio."""
    working = {
        o.client_order_id: LocalOrder(
            o.client_order_id, o.symbol, o.side, o.quantity, o.filled_quantity, o.status
        )
        for o in oms.working_orders()
    }
    return LocalBook(dict(positions), cash, buying_power, working, oms.seen_fill_ids(), locked)
