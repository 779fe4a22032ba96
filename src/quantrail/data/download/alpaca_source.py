"""Alpaca historical bars through alpaca-py's ``StockHistoricalDataClient`` and
``CryptoHistoricalDataClient`` (a slash in the symbol, ``BTC/USD``, means crypto)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from quantrail.core.errors import ConfigError, VenueRejected, VenueUnavailable
from quantrail.core.time import NANOS_PER_DAY, NANOS_PER_MINUTE
from quantrail.data.download.frames import bars_frame
from quantrail.data.download.retry import Throttled

__all__ = ["AlpacaSource"]

_HOUR = 60 * NANOS_PER_MINUTE
KEY_ENV, SECRET_ENV = "APCA_API_KEY_ID", "APCA_API_SECRET_KEY"


def _import_alpaca() -> Any:
    # alpaca-py imports websockets.legacy, deprecated since websockets 14. The warning is
    # theirs and not actionable here; silence exactly that one so strict test runs pass.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "websockets.legacy", DeprecationWarning)
        import alpaca.data.historical as historical
        import alpaca.data.requests as requests
        import alpaca.data.timeframe as timeframe
        from alpaca.common.exceptions import APIError
    return historical, requests, timeframe, APIError


def _datetime(ts_ns: int) -> datetime:
    # Alpaca takes microseconds; round up so a cursor never moves backwards.
    micros = -(-ts_ns // 1000)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


class AlpacaSource:
    """Fetch pages of bars from Alpaca's market-data API.

    Parameters
    ----------
    url_override : str, optional
        Base URL instead of Alpaca's (e.g. a local emulator's ``alpaca_rest_url``).
    page_size : int
        Bars per page (Alpaca's maximum is 10,000).
    feed, adjustment : str, optional
        Stock feed (``iex``, ``sip``) and corporate-action adjustment (``raw``, ``all``...);
        None leaves Alpaca's defaults.
    env : mapping, optional
        Where to read ``APCA_API_KEY_ID`` / ``APCA_API_SECRET_KEY``; default ``os.environ``.
        Keys are required for stocks and optional for crypto. They are never logged.
    """

    name = "alpaca"

    def __init__(
        self,
        url_override: str | None = None,
        page_size: int = 10_000,
        feed: str | None = None,
        adjustment: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.url_override = url_override
        self.page_size = page_size
        self.feed = feed
        self.adjustment = adjustment
        self._env = os.environ if env is None else env
        self._clients: dict[bool, Any] = {}

    def __repr__(self) -> str:  # never shows credentials
        return f"AlpacaSource(url_override={self.url_override!r}, page_size={self.page_size})"

    def _client(self, crypto: bool) -> Any:
        if crypto in self._clients:
            return self._clients[crypto]
        historical, _, _, _ = _import_alpaca()
        key, secret = self._env.get(KEY_ENV) or None, self._env.get(SECRET_ENV) or None
        if crypto:
            client = historical.CryptoHistoricalDataClient(
                api_key=key, secret_key=secret, url_override=self.url_override
            )
        elif key is None or secret is None:
            raise ConfigError(
                f"Alpaca stock data needs {KEY_ENV} and {SECRET_ENV} in the environment"
            )
        else:
            client = historical.StockHistoricalDataClient(
                api_key=key, secret_key=secret, url_override=self.url_override
            )
        # alpaca-py retries 429/504 itself with a fixed 3 s sleep that ignores Retry-After;
        # turn that off so retries happen once, in call_with_retries, by the venue's rules.
        client._retry = 0
        self._clients[crypto] = client
        return client

    def _timeframe(self, frequency_ns: int) -> Any:
        _, _, timeframe, _ = _import_alpaca()
        unit = timeframe.TimeFrameUnit
        for size, name in (
            (NANOS_PER_DAY, unit.Day),
            (_HOUR, unit.Hour),
            (NANOS_PER_MINUTE, unit.Minute),
        ):
            if frequency_ns % size == 0:
                try:
                    return timeframe.TimeFrame(frequency_ns // size, name)
                except ValueError as exc:
                    raise ConfigError(f"Alpaca has no such bar size: {exc}") from exc
        raise ConfigError("Alpaca bars are whole minutes, hours or days")

    def fetch_page(
        self, symbol: str, frequency_ns: int, start_ns: int, end_ns: int
    ) -> pd.DataFrame:
        """Bars of ``symbol`` with ``start_ns <= bar start < end_ns``, at most one page.

        Raises
        ------
        RateLimited
            On HTTP 429 (a :class:`Throttled` carrying ``Retry-After``).
        VenueUnavailable
            On 5xx or a connection failure.
        VenueRejected
            On any other 4xx (bad symbol, bad credentials).
        """
        _, requests, _, api_error = _import_alpaca()
        crypto = "/" in symbol
        fields: dict[str, Any] = {
            "symbol_or_symbols": symbol,
            "timeframe": self._timeframe(frequency_ns),
            "start": _datetime(start_ns),
            "end": _datetime(end_ns - 1000),  # Alpaca's end is inclusive; ours is not
            "limit": self.page_size,
        }
        if not crypto:
            fields.update(
                {k: v for k, v in (("feed", self.feed), ("adjustment", self.adjustment)) if v}
            )
        client = self._client(crypto)
        try:
            if crypto:
                result = client.get_crypto_bars(requests.CryptoBarsRequest(**fields))
            else:
                result = client.get_stock_bars(requests.StockBarsRequest(**fields))
        except api_error as exc:
            raise _translate(exc, symbol) from exc
        except OSError as exc:  # requests' errors are OSErrors: refused, reset, timed out
            raise VenueUnavailable(f"alpaca {symbol}: {exc}") from exc
        bars = result.data.get(symbol, [])
        ts = [pd.Timestamp(b.timestamp).as_unit("ns").value for b in bars]
        return bars_frame(ts, [(b.open, b.high, b.low, b.close, b.volume) for b in bars])

    def close(self) -> None:
        """Release the HTTP sessions."""
        for client in self._clients.values():
            client._session.close()
        self._clients.clear()


def _translate(exc: Any, symbol: str) -> Exception:
    status = exc.status_code
    message = f"alpaca {symbol}: HTTP {status}: {exc}"
    if status == 429:
        header = exc.response.headers.get("Retry-After") if exc.response is not None else None
        return Throttled(message, _seconds(header))
    if status is None or status >= 500:
        return VenueUnavailable(message)
    return VenueRejected(message)


def _seconds(header: str | None) -> float | None:
    try:
        return None if header is None else max(0.0, float(header))
    except ValueError:
        return None  # an HTTP-date; the backoff alone decides then
