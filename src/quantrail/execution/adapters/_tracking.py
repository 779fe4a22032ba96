"""What the adapter remembers about each order: venue ids, fill progress and the executions seen.

Alpaca gives a replaced order a new order id (and a new client order id unless one is sent),
while the OMS keeps one ``Order`` under our client order id. The tracker maps every venue id of
a replace chain back to that order, and counts how much of it has been reported to the engine,
so a fill learned by polling (when the stream was down) is not reported again when the stream's
own update for it turns up late.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from quantrail.core.orders import Order
from quantrail.oms.reports import VenueFillReport, VenueOrderReport

__all__ = ["Terms", "Track", "Tracker"]

_QTY_EPS = 1e-9

Terms = tuple[float | None, float | None, float | None]  # quantity, limit price, stop price


@dataclass
class Track:
    """One of our orders as the adapter follows it.

    ``original_id`` is the venue id of the first order of the chain (what the state store keeps);
    ``current_id`` the one that is working now. ``reported_*`` sum the fills handed to the
    engine. ``polled`` is set once a fill was learned by polling: from then on a stream fill is
    also checked against the order's cumulative filled quantity, because its execution id
    differs from the one the poll had to make up.
    """

    order: Order
    original_id: str | None = None
    current_id: str | None = None
    reported_qty: float = 0.0
    reported_cost: float = 0.0
    polled: bool = False
    pending_terms: dict[str, Terms] = field(default_factory=dict)

    @property
    def client_order_id(self) -> str:
        return self.order.client_order_id

    def report(self, quantity: float, price: float) -> None:
        self.reported_qty += quantity
        self.reported_cost += quantity * price

    def missing_fill(self, venue: VenueOrderReport) -> VenueFillReport | None:
        """The execution that brings our reported fills up to the venue's, or None.

        The venue gives only the cumulative quantity and average price, so the gap is booked as
        one fill at the price that makes the averages agree. Its id is derived from the venue
        order id and the cumulative quantity: a second poll (or a restarted engine) asking about
        the same state makes the same id, which the OMS and the state store book once.
        """
        gap = venue.filled_quantity - self.reported_qty
        if gap <= _QTY_EPS or math.isnan(venue.avg_price):
            return None
        price = (venue.avg_price * venue.filled_quantity - self.reported_cost) / gap
        if not (math.isfinite(price) and price > 0):
            price = venue.avg_price  # rounding in the venue's average: fall back to it
        return VenueFillReport(
            execution_id=f"poll-{venue.venue_order_id}-{venue.filled_quantity!r}",
            client_order_id=self.client_order_id,
            symbol=venue.symbol,
            side=venue.side,
            quantity=gap,
            price=price,
            commission=0.0,
            ts=venue.ts,
        )


class Tracker:
    """Tracks by client order id and by every venue id; keeps a journal of executions."""

    def __init__(self, journal_size: int = 10_000) -> None:
        self.tracks: dict[str, Track] = {}
        self._by_venue: dict[str, str] = {}
        self._journal: deque[VenueFillReport] = deque(maxlen=journal_size)
        self._journal_ids: set[str] = set()

    def track(self, order: Order, venue_order_id: str | None = None) -> Track:
        """Follow ``order``; its fill progress starts at what the order already has booked."""
        track = self.tracks.get(order.client_order_id)
        if track is None:
            track = Track(order)
            if order.filled_quantity > 0:
                track.report(order.filled_quantity, order.avg_fill_price)
            self.tracks[order.client_order_id] = track
        if venue_order_id is not None:
            self.bind(track, venue_order_id)
        return track

    def bind(self, track: Track, venue_order_id: str, current: bool = True) -> None:
        self._by_venue[venue_order_id] = track.client_order_id
        if track.original_id is None:
            track.original_id = venue_order_id
        if current:
            track.current_id = venue_order_id

    def find(self, client_order_id: str, venue_order_id: str, replaces: str | None) -> Track | None:
        """Our order behind a venue order: by our id, by a venue id, or by the order it replaces."""
        track = self.tracks.get(client_order_id)
        if track is None:
            cid = self._by_venue.get(venue_order_id) or self._by_venue.get(replaces or "")
            track = None if cid is None else self.tracks.get(cid)
        if track is not None and venue_order_id not in self._by_venue:
            self.bind(track, venue_order_id, current=track.current_id in (None, replaces))
        return track

    def venue_ids(self) -> dict[str, str]:
        """Every venue id bound so far -> our client order id."""
        return dict(self._by_venue)

    def seen(self, execution_id: str) -> bool:
        return execution_id in self._journal_ids

    def journal(self, report: VenueFillReport) -> None:
        """Remember an execution for reconciliation (once per execution id)."""
        if report.execution_id in self._journal_ids:
            return
        if len(self._journal) == self._journal.maxlen:
            self._journal_ids.discard(self._journal[0].execution_id)
        self._journal.append(report)
        self._journal_ids.add(report.execution_id)

    def executions(self) -> list[VenueFillReport]:
        return list(self._journal)
