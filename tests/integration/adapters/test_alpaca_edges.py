"""The adapter's edges without a venue: credentials, settings, translation and error mapping."""

from __future__ import annotations

import warnings

import pytest
import requests

from quantrail.core.enums import OrderType, Side, TimeInForce
from quantrail.core.errors import ConfigError, RateLimited, VenueRejected, VenueUnavailable
from quantrail.core.orders import Order, OrderIntent
from quantrail.core.ports import ExecutionVenue
from quantrail.execution.adapters import (
    KEY_ENV,
    SECRET_ENV,
    AlpacaCredentials,
    AlpacaExecution,
    AlpacaSettings,
    VenueAdapter,
)
from quantrail.execution.adapters._alpaca_wire import order_request, venue_error
from quantrail.runtime.clock import LiveClock

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "websockets.legacy", DeprecationWarning)
    from alpaca.common.exceptions import APIError


class _Silent:
    def on_venue_fill(self, *args: object) -> None: ...
    def on_venue_event(self, *args: object) -> None: ...
    def on_venue_ambiguous(self, *args: object) -> None: ...


def test_credentials_come_from_the_environment_and_stay_out_of_reprs() -> None:
    with pytest.raises(ConfigError, match=f"{KEY_ENV} and {SECRET_ENV}"):
        AlpacaCredentials.from_env({})
    with pytest.raises(ConfigError, match=SECRET_ENV):
        AlpacaCredentials.from_env({KEY_ENV: "AKID"})
    creds = AlpacaCredentials.from_env({KEY_ENV: "AKID", SECRET_ENV: "s3cr3t"})
    assert (creds.key_id, creds.origin) == ("AKID", "env")
    assert "AKID" not in repr(creds)
    assert "s3cr3t" not in repr(creds)


def test_the_adapter_refuses_to_start_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(ConfigError, match=KEY_ENV):
        AlpacaExecution(_Silent(), LiveClock())
    with pytest.raises(ConfigError, match="test key"):  # a test key never reaches Alpaca
        AlpacaExecution(_Silent(), LiveClock(), credentials=AlpacaCredentials.test_key())


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="together"):
        AlpacaSettings(rest_url="http://127.0.0.1:1")
    with pytest.raises(ConfigError, match="request_timeout"):
        AlpacaSettings(request_timeout=0)


def test_the_adapter_fits_the_ports() -> None:
    settings = AlpacaSettings(rest_url="http://127.0.0.1:9", stream_url="ws://127.0.0.1:9/stream")
    adapter = AlpacaExecution(
        _Silent(), LiveClock(), credentials=AlpacaCredentials.test_key(), settings=settings
    )
    venue: ExecutionVenue = adapter
    full: VenueAdapter = adapter
    assert venue is full
    adapter.close()


def _order(kind: OrderType, limit: float | None = None, stop: float | None = None) -> Order:
    intent = OrderIntent("AAPL", Side.SELL, 7, kind, limit, stop, TimeInForce.DAY)
    return Order("s1-9", 9, intent, "s1", 0)


@pytest.mark.parametrize(
    ("kind", "limit", "stop"),
    [(OrderType.MARKET, None, None), (OrderType.LIMIT, 10.5, None),
     (OrderType.STOP, None, 9.5), (OrderType.STOP_LIMIT, 9.0, 9.5)],
)  # fmt: skip
def test_orders_translate_with_our_client_order_id(
    kind: OrderType, limit: float | None, stop: float | None
) -> None:
    fields = order_request(_order(kind, limit, stop)).to_request_fields()
    assert fields["client_order_id"] == "s1-9"
    assert (fields["symbol"], fields["qty"], fields["side"]) == ("AAPL", 7, "sell")
    assert (fields["type"], fields["time_in_force"]) == (kind.value, "day")
    assert (fields.get("limit_price"), fields.get("stop_price")) == (limit, stop)


def _api_error(status: int, body: str, **headers: str) -> APIError:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    return APIError(body, requests.HTTPError(response=response))  # type: ignore[no-untyped-call]


def test_errors_are_mapped_once_at_the_edge() -> None:
    limited = venue_error(_api_error(429, '{"code":1,"message":"slow"}', **{"Retry-After": "2"}),
                          "cancel x")  # fmt: skip
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 2.0
    dates = {
        "Retry-After": "Wed, 21 Oct 2015 07:28:03 GMT",
        "Date": "Wed, 21 Oct 2015 07:28:00 GMT",
    }
    dated = venue_error(_api_error(429, "{}", **dates), "x")
    assert isinstance(dated, RateLimited)
    assert dated.retry_after == 3.0
    assert isinstance(venue_error(_api_error(503, "<html>"), "x"), VenueUnavailable)
    refused = venue_error(_api_error(422, '{"code":4,"message":"client_order_id must be unique"}'),
                          "submit s1-1")  # fmt: skip
    assert isinstance(refused, VenueRejected)
    assert str(refused) == "submit s1-1: HTTP 422 client_order_id must be unique"
    lost = venue_error(requests.ConnectionError("reset by peer"), "submit s1-1")
    assert type(lost) is VenueUnavailable
    assert "ConnectionError" in str(lost)
