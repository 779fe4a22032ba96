"""alpaca-py's ``TradingClient`` made fit for the retry policy: one attempt per call, a timeout,
and every failure raised as the error tree at this edge."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from quantrail.execution.adapters._alpaca_wire import AlpacaOrder, order_report, venue_error
from quantrail.execution.adapters.alpaca_settings import AlpacaCredentials, AlpacaSettings
from quantrail.oms.reports import VenueOrderReport

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "websockets.legacy", DeprecationWarning)
    from alpaca.common.exceptions import APIError
    from alpaca.trading.client import TradingClient
    from alpaca.trading.enums import QueryOrderStatus
    from alpaca.trading.models import Position, TradeAccount
    from alpaca.trading.requests import GetOrdersRequest, OrderRequest, ReplaceOrderRequest

__all__ = ["AlpacaRest", "logical_orders"]

T = TypeVar("T")

_MAX_CHAIN = 50  # replaces followed before giving up (a loop would be a venue bug)
_LIST_LIMIT = 500  # Alpaca's largest page of GET /v2/orders


@contextmanager
def _edge(what: str) -> Iterator[None]:
    """Translate once, here: ``raise VenueUnavailable/RateLimited/VenueRejected(...) from e``."""
    try:
        yield
    except (APIError, OSError) as exc:  # requests' errors derive from OSError
        raise venue_error(exc, what) from exc


class AlpacaRest:
    """One attempt per call; callers wrap calls in ``oms.retry.call_with_policy``."""

    def __init__(self, credentials: AlpacaCredentials, settings: AlpacaSettings) -> None:
        self.client = TradingClient(
            credentials.key_id, credentials.secret_key, paper=settings.paper,
            url_override=settings.rest_url,
        )  # fmt: skip
        # alpaca-py retries 429 (and 504) by itself, 3 s apart, ignoring Retry-After; the
        # retry policy must see every answer, so its own retry is turned off. It also sets no
        # request timeout, which would turn a lost answer into a hang. Neither is a public
        # setting of TradingClient, hence the private attributes.
        self.client._retry = 0
        session = self.client._session
        session.request = functools.partial(  # type: ignore[method-assign]
            session.request, timeout=settings.request_timeout
        )

    def close(self) -> None:
        self.client._session.close()

    # -- orders ------------------------------------------------------------------------------
    def submit(self, request: OrderRequest) -> AlpacaOrder:
        with _edge(f"submit {request.client_order_id}"):
            return _order(self.client.submit_order(request))

    def cancel(self, venue_order_id: str) -> None:
        with _edge(f"cancel {venue_order_id}"):
            self.client.cancel_order_by_id(venue_order_id)

    def replace(self, venue_order_id: str, request: ReplaceOrderRequest) -> AlpacaOrder:
        with _edge(f"replace {venue_order_id}"):
            return _order(self.client.replace_order_by_id(venue_order_id, request))

    def by_client_id(self, client_order_id: str) -> AlpacaOrder | None:
        return self._maybe(
            f"get {client_order_id}", lambda: self.client.get_order_by_client_id(client_order_id)
        )

    def by_id(self, venue_order_id: str) -> AlpacaOrder | None:
        return self._maybe(
            f"get {venue_order_id}", lambda: self.client.get_order_by_id(venue_order_id)
        )

    def lookup(self, client_order_id: str) -> VenueOrderReport | None:
        """Our order at the venue by client order id, following replaces to the working link.

        The report carries our client order id whatever the replacing order is called.
        """
        found = self.by_client_id(client_order_id)
        for _ in range(_MAX_CHAIN):
            if found is None or _status(found) != "replaced" or not found.replaced_by:
                break
            following = self.by_id(str(found.replaced_by))
            if following is None:
                break
            found = following
        return None if found is None else order_report(found, client_order_id)

    def orders(self, status: QueryOrderStatus) -> list[AlpacaOrder]:
        with _edge(f"list {status.value} orders"):
            got = self.client.get_orders(GetOrdersRequest(status=status, limit=_LIST_LIMIT))
            return [_order(o) for o in (got if isinstance(got, list) else [])]

    # -- account -----------------------------------------------------------------------------
    def positions(self) -> dict[str, float]:
        """Signed quantity per symbol (Alpaca names crypto pairs without the slash)."""
        with _edge("list positions"):
            got = self.client.get_all_positions()
        out: dict[str, float] = {}
        for p in got if isinstance(got, list) else []:
            if isinstance(p, Position):
                qty = float(p.qty)
                short = str(getattr(p.side, "value", p.side)) == "short"
                out[p.symbol] = -abs(qty) if short else qty
        return out

    def account(self) -> tuple[float, float | None]:
        """Cash and buying power."""
        with _edge("get account"):
            got = self.client.get_account()
        if not isinstance(got, TradeAccount):
            raise TypeError("alpaca-py returned raw data; the client must not use raw_data")
        power = None if got.buying_power is None else float(got.buying_power)
        return float(got.cash or 0.0), power

    def _maybe(self, what: str, fn: Callable[[], Any]) -> AlpacaOrder | None:
        """One order, or None when the venue answers 404 (it does not know it)."""
        with _edge(what):
            try:
                return _order(fn())
            except APIError as exc:
                if exc.status_code == 404:
                    return None
                raise  # translated by _edge


def _status(order: AlpacaOrder) -> str:
    return str(getattr(order.status, "value", order.status))


def _order(value: Any) -> AlpacaOrder:
    if not isinstance(value, AlpacaOrder):
        raise TypeError("alpaca-py returned raw data; the client must not use raw_data")
    return value


def logical_orders(
    orders: list[AlpacaOrder], known: Mapping[str, str]
) -> tuple[dict[str, VenueOrderReport], dict[str, VenueOrderReport]]:
    """Open and closed orders keyed by the client order id of their chain's first order.

    ``orders`` is every order listed (open and recently closed); ``known`` maps venue ids the
    adapter has bound to our client order ids. A replacing order is named after the order it
    replaces, so a replaced order of ours is not mistaken for an external one; the replaced
    links themselves are skipped (their chain lives on in the replacement).
    """
    by_id = {str(o.id): o for o in orders}

    def root_cid(order: AlpacaOrder) -> str:
        current = order
        for _ in range(_MAX_CHAIN):
            cid = known.get(str(current.id))
            if cid is not None:
                return cid
            previous = by_id.get(str(current.replaces)) if current.replaces else None
            if previous is None:
                break
            current = previous
        return current.client_order_id

    working: dict[str, VenueOrderReport] = {}
    closed: dict[str, VenueOrderReport] = {}
    for order in orders:
        if _status(order) == "replaced":
            continue
        report = order_report(order, root_cid(order))
        target = closed if report.status.is_terminal else working
        target[report.client_order_id] = report
    return working, closed
