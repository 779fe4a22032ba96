"""Venue news applied to tracked orders: trade updates, and order reports learned by polling.

Runs on the engine's thread only (from ``AlpacaExecution.pump``), so it calls the listener
directly. Status changes go through ``on_venue_event``; fills through ``on_venue_fill`` with the
venue's execution id as ``fill_id``; a replace completes by copying the venue's new terms onto
the order before REPLACE is reported, as the fill simulator does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quantrail.core.enums import OrderStatus
from quantrail.core.order_state import OrderEventKind
from quantrail.execution.adapters._alpaca_wire import (
    STREAM_EVENTS,
    TradeUpdate,
    event_name,
    fill_report,
    to_ns,
)
from quantrail.execution.adapters._tracking import Terms, Track, Tracker
from quantrail.execution.adapters.base import AdapterListener
from quantrail.oms.reports import VenueFillReport, VenueOrderReport, fill_from_report

__all__ = ["AlpacaStats", "UpdateApplier"]

_E = OrderEventKind
_FILLS = ("fill", "partial_fill")
_QTY_EPS = 1e-9
_FINAL_EVENTS = {OrderStatus.CANCELED: _E.CANCEL, OrderStatus.EXPIRED: _E.EXPIRE,
                 OrderStatus.REJECTED: _E.REJECT}  # fmt: skip
_REASONS = {_E.CANCEL: "canceled at the venue", _E.EXPIRE: "expired at the venue",
            _E.REJECT: "rejected by the venue"}  # fmt: skip


@dataclass
class AlpacaStats:
    """Counters that show which recovery paths ran (for the audit and the tests)."""

    polls: int = 0
    polled_fills: int = 0
    covered_stream_fills: int = 0
    duplicate_fills: int = 0
    external_fills: int = 0


class UpdateApplier:
    """Turns trade updates and polled reports into listener calls for tracked orders.

    Parameters
    ----------
    listener : AdapterListener
        The engine.
    tracker : Tracker
        Venue ids, fill progress and the execution journal.
    fetch : callable
        ``(venue_order_id, client_order_id) -> VenueOrderReport | None``: the terms of a
        replacing order whose PATCH answer this adapter did not see.
    """

    def __init__(
        self,
        listener: AdapterListener,
        tracker: Tracker,
        fetch: Callable[[str, str], VenueOrderReport | None],
    ) -> None:
        self.listener = listener
        self.tracker = tracker
        self._fetch = fetch
        self.stats = AlpacaStats()

    def dispatch(self, update: TradeUpdate) -> None:
        event, venue = event_name(update), update.order
        replaces = None if venue.replaces is None else str(venue.replaces)
        track = self.tracker.find(venue.client_order_id, str(venue.id), replaces)
        if track is None:
            if event in _FILLS:  # an order placed elsewhere: kept for reconciliation
                self.stats.external_fills += 1
                self.tracker.journal(fill_report(update, venue.client_order_id))
            return
        order, ts = track.order, to_ns(update.timestamp)
        if event in _FILLS:
            self._stream_fill(track, update)
        elif event == "replaced":
            self._replaced(track, str(venue.replaced_by), ts)
        elif event == "rejected" and replaces is not None and str(venue.id) != track.current_id:
            # The replacing order was refused; the original still works (or already ended, as
            # when a fill wins the race: then there is nothing to say).
            if order.status is OrderStatus.PENDING_REPLACE:
                self.listener.on_venue_event(order, _E.REJECT, ts, "replace rejected by the venue")
        elif event in STREAM_EVENTS:
            kind = STREAM_EVENTS[event]
            self.listener.on_venue_event(order, kind, ts, _REASONS.get(kind, ""))

    def _stream_fill(self, track: Track, update: TradeUpdate) -> None:
        execution_id = str(update.execution_id)
        if self.tracker.seen(execution_id):
            # Delivered again: handed on so the OMS (and the store) drop it by execution id.
            self.stats.duplicate_fills += 1
            duplicate = fill_report(update, track.client_order_id)
            self.listener.on_venue_fill(track.order, fill_from_report(duplicate))
            return
        quantity = None
        if track.polled:  # a poll may already have booked this execution under its own id
            new = float(update.order.filled_qty or 0.0) - track.reported_qty
            if new <= _QTY_EPS:
                self.stats.covered_stream_fills += 1
                return
            quantity = min(new, float(update.qty or 0.0))
        fill = fill_report(update, track.client_order_id, quantity)
        self.booked(track, fill)
        self.listener.on_venue_fill(track.order, fill_from_report(fill))

    def booked(self, track: Track, fill: VenueFillReport, polled: bool = False) -> None:
        """Count ``fill`` as reported and journal it (the caller delivers or returns it)."""
        track.report(fill.quantity, fill.price)
        self.tracker.journal(fill)
        if polled:
            track.polled = True
            self.stats.polled_fills += 1

    def _replaced(self, track: Track, new_id: str, ts: int) -> None:
        terms = track.pending_terms.pop(new_id, None)
        if terms is None:  # replaced by someone else, or the answer was lost: ask for it
            new = self._fetch(new_id, track.client_order_id)
            if new is not None:
                terms = (new.quantity, new.limit_price, new.stop_price)
        self.tracker.bind(track, new_id)
        self._adopt(track, terms, ts)

    def _adopt(self, track: Track, terms: Terms | None, ts: int) -> None:
        """Take the venue's terms after a replace; report REPLACE if we had asked for one."""
        order = track.order
        if terms is not None:
            quantity, limit_price, stop_price = terms
            order.quantity = order.quantity if quantity is None else quantity
            order.limit_price = order.limit_price if limit_price is None else limit_price
            order.stop_price = order.stop_price if stop_price is None else stop_price
        if order.status is OrderStatus.PENDING_REPLACE:
            self.listener.on_venue_event(order, _E.REPLACE, ts, "replaced")

    def apply_report(self, track: Track, report: VenueOrderReport) -> None:
        """Bring a tracked order up to the venue's report: terms, fills, then status."""
        order, status, ts = track.order, report.status, report.ts
        moved = track.current_id not in (None, report.venue_order_id)
        self.tracker.bind(track, report.venue_order_id)
        if moved:  # a replace completed while nobody listened
            self._adopt(track, (report.quantity, report.limit_price, report.stop_price), ts)
        fill = track.missing_fill(report)
        if fill is not None:
            self.booked(track, fill, polled=True)
            self.listener.on_venue_fill(order, fill_from_report(fill))
        if status.is_working and order.status is OrderStatus.SUBMITTED:
            self.listener.on_venue_event(order, _E.ACCEPT, ts, "")
        # Our replace is no longer pending at the venue, yet the chain did not move: refused.
        refused = status.is_working and status is not OrderStatus.PENDING_REPLACE and not moved
        if refused and order.status is OrderStatus.PENDING_REPLACE:
            self.listener.on_venue_event(order, _E.REJECT, ts, "replace not applied")
        kind = _FINAL_EVENTS.get(status)
        if kind is not None and not order.status.is_terminal:
            self.listener.on_venue_event(order, kind, ts, _REASONS[kind])
