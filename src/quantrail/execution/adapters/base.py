"""What a broker adapter is: the ``ExecutionVenue`` port plus what a live engine needs around it.

A live venue differs from the simulator in three ways the port alone cannot express: its
answers arrive later and from another thread (so the engine pulls them, :meth:`pump`), a call
can end without an answer (so the adapter reports it as ambiguous instead of guessing), and its
books must be compared with ours (:meth:`venue_book`). docs/adapters.md is the template.
"""

from __future__ import annotations

from typing import Protocol

from quantrail.core.orders import Order
from quantrail.core.ports import ExecutionVenue, VenueListener
from quantrail.oms.anomaly import Operation
from quantrail.oms.books import VenueBook
from quantrail.oms.reports import VenueFillReport, VenueOrderReport

__all__ = ["AdapterListener", "VenueAdapter"]


class AdapterListener(VenueListener, Protocol):
    """A ``VenueListener`` that also hears about calls whose outcome was lost.

    ``on_venue_ambiguous`` is called for a submit or replace that timed out or lost its
    connection: the engine marks the order ambiguous (``OrderManager.mark_ambiguous``) and
    resolves it by client order id (``resolve_ambiguous`` with :meth:`VenueAdapter.lookup`),
    never by sending it again.
    """

    def on_venue_ambiguous(
        self, order: Order, operation: Operation, ts: int, detail: str
    ) -> None: ...


class VenueAdapter(ExecutionVenue, Protocol):
    """The surface every broker adapter offers the live engine.

    ``submit``/``cancel``/``modify`` never call the listener themselves: every callback, the
    refusals of these calls included, is delivered by :meth:`pump` on the caller's thread, so
    the engine has journaled its own request before it hears the answer.
    """

    def start(self, wait: float = 5.0) -> bool:
        """Open the update stream; True once it listens within ``wait`` seconds."""
        ...

    def close(self) -> None: ...

    def pump(self, timeout: float = 0.0) -> int:
        """Deliver queued venue updates to the listener; poll order status if the stream is or
        was down. Returns how many queued items were handled."""
        ...

    def track(self, order: Order, venue_order_id: str | None = None) -> None:
        """Follow an order this adapter did not submit (restored after a restart, adopted)."""
        ...

    def lookup(self, client_order_id: str) -> VenueOrderReport | None:
        """The venue's order by our client order id, None if it does not know it.

        Raises ``VenueUnavailable`` when it could not ask: not knowing is not "not found".
        """
        ...

    def missing_fills(self, order: Order, report: VenueOrderReport) -> list[VenueFillReport]:
        """Executions the venue reports for ``order`` beyond what was delivered."""
        ...

    def venue_book(self) -> VenueBook:
        """Positions, cash, open and recently closed orders, executions seen: for reconcile."""
        ...
