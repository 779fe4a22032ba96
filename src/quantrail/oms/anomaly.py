"""Records of venue updates the order manager refused to apply, and of calls with no answer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from quantrail.core.enums import OrderStatus
from quantrail.core.order_state import OrderEventKind

__all__ = ["AmbiguousCall", "Anomaly", "Operation"]


@dataclass(frozen=True, slots=True)
class Anomaly:
    """An update that is impossible for the order's current state, recorded instead of applied.

    Parameters
    ----------
    ts : int
        When the update arrived (UTC ns).
    client_order_id : str
        The order it was about.
    status : OrderStatus
        The order's status when it arrived, which it still has.
    event : OrderEventKind
        The update that could not be applied.
    source : str
        Who sent it ("venue", "engine", "reconcile", ...), for the alert.
    detail : str
        Why it was refused, when more than the table miss (an overfill names the quantities).
    """

    ts: int
    client_order_id: str
    status: OrderStatus
    event: OrderEventKind
    source: str
    detail: str = ""


class Operation(StrEnum):
    """A venue call whose outcome can be lost in transit."""

    SUBMIT = "submit"
    REPLACE = "replace"


@dataclass(frozen=True, slots=True)
class AmbiguousCall:
    """A submit or replace that timed out or lost its connection: the venue may or may not have
    acted on it. ``since_ns`` starts the venue's consistency window."""

    client_order_id: str
    operation: Operation
    since_ns: int
