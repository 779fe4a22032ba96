"""The order state table: the one place that says which update moves an order where.

An update that arrives out of order (a fill before the ack) is applied once and never moves an
order backwards: a table miss for a terminal order is ignored, for a live order it is an error.
"""

from __future__ import annotations

from enum import StrEnum

from quantrail.core.enums import OrderStatus

__all__ = ["TRANSITIONS", "OrderEventKind", "next_status"]


class OrderEventKind(StrEnum):
    DENY = "deny"
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    CANCEL_REQUEST = "cancel_request"
    CANCEL = "cancel"
    REPLACE_REQUEST = "replace_request"
    REPLACE = "replace"
    EXPIRE = "expire"


S = OrderStatus
E = OrderEventKind

_LIVE = (S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_FILLED, S.PENDING_CANCEL, S.PENDING_REPLACE)

TRANSITIONS: dict[tuple[OrderStatus, OrderEventKind], OrderStatus] = {
    (S.NEW, E.DENY): S.DENIED,
    (S.NEW, E.SUBMIT): S.SUBMITTED,
    (S.NEW, E.REJECT): S.REJECTED,
    (S.SUBMITTED, E.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, E.REJECT): S.REJECTED,
    # A venue may report the fill before its acknowledgement; the fill implies acceptance.
    (S.SUBMITTED, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.SUBMITTED, E.FILL): S.FILLED,
    (S.ACCEPTED, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.ACCEPTED, E.FILL): S.FILLED,
    (S.PARTIALLY_FILLED, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.PARTIALLY_FILLED, E.FILL): S.FILLED,
    (S.PENDING_CANCEL, E.PARTIAL_FILL): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, E.FILL): S.FILLED,
    (S.PENDING_REPLACE, E.PARTIAL_FILL): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, E.FILL): S.FILLED,
    (S.PENDING_REPLACE, E.REPLACE): S.ACCEPTED,
    (S.PENDING_REPLACE, E.REJECT): S.ACCEPTED,  # the replace was refused; the original stands
    (S.PENDING_CANCEL, E.REJECT): S.ACCEPTED,  # the cancel was refused; the order still works
    (S.PENDING_REPLACE, E.CANCEL): S.CANCELED,
    # Canceling an order whose replace is still in flight: the cancel supersedes the replace.
    (S.PENDING_REPLACE, E.CANCEL_REQUEST): S.PENDING_CANCEL,
    # A venue update that changes no status (e.g. an OCO sibling reduced by a fill) while a
    # cancel or replace is in flight leaves that request pending.
    (S.PENDING_CANCEL, E.ACCEPT): S.PENDING_CANCEL,
    (S.PENDING_REPLACE, E.ACCEPT): S.PENDING_REPLACE,
    (S.PENDING_CANCEL, E.CANCEL): S.CANCELED,
    (S.PENDING_REPLACE, E.EXPIRE): S.EXPIRED,
    (S.PENDING_CANCEL, E.EXPIRE): S.EXPIRED,
}
for _status in (S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_FILLED):
    TRANSITIONS[(_status, E.CANCEL_REQUEST)] = S.PENDING_CANCEL
    TRANSITIONS[(_status, E.REPLACE_REQUEST)] = S.PENDING_REPLACE
    TRANSITIONS[(_status, E.CANCEL)] = S.CANCELED
    TRANSITIONS[(_status, E.EXPIRE)] = S.EXPIRED
# A replace or cancel acknowledged for an order that partially filled keeps the fill progress.
TRANSITIONS[(S.PARTIALLY_FILLED, E.ACCEPT)] = S.PARTIALLY_FILLED
TRANSITIONS[(S.ACCEPTED, E.ACCEPT)] = S.ACCEPTED


def next_status(current: OrderStatus, event: OrderEventKind) -> OrderStatus | None:
    """Return the status after ``event``, or None when the event does not apply.

    None for a terminal order means "already done, ignore the late update"; the caller decides
    whether None for a live order is an error.
    """
    return TRANSITIONS.get((current, event))
