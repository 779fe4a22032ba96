"""Bars from any ccxt exchange via ``fetch_ohlcv`` with ``since``/``limit`` (sync ccxt)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from quantrail.core.errors import ConfigError, VenueRejected, VenueUnavailable
from quantrail.data.download.frames import bars_frame
from quantrail.data.download.retry import Throttled

__all__ = ["CcxtSource"]

_MS = 1_000_000


def _ccxt() -> Any:
    # ccxt ships no type information; it stays Any behind this one import.
    return importlib.import_module("ccxt")


class CcxtSource:
    """Fetch pages of OHLCV from a ccxt exchange.

    Parameters
    ----------
    exchange_id : str
        A ccxt id, e.g. ``binance``.
    config : mapping, optional
        Merged into the exchange's constructor config (e.g. a local emulator's
        ``ccxt_config()``). ``enableRateLimit`` is always on.
    page_size : int
        Candles per request (Binance's maximum is 1,000).
    env : mapping, optional
        Where to read ``<ID>_API_KEY`` / ``<ID>_SECRET`` (e.g. ``BINANCE_API_KEY``); default
        ``os.environ``. Public candles need no keys; keys found are passed on, never logged.
    """

    def __init__(
        self,
        exchange_id: str,
        config: Mapping[str, Any] | None = None,
        page_size: int = 1000,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.exchange_id = exchange_id
        self.name = exchange_id
        self.page_size = page_size
        self._config = dict(config or {})
        self._env = os.environ if env is None else env
        self._exchange: Any = None

    def __repr__(self) -> str:  # never shows credentials
        return f"CcxtSource({self.exchange_id!r}, page_size={self.page_size})"

    def _get(self) -> Any:
        if self._exchange is None:
            ccxt = _ccxt()
            if self.exchange_id not in ccxt.exchanges:
                raise ConfigError(f"unknown ccxt exchange {self.exchange_id!r}")
            config: dict[str, Any] = {**self._config, "enableRateLimit": True}
            prefix = self.exchange_id.upper()
            for env_name, key in ((f"{prefix}_API_KEY", "apiKey"), (f"{prefix}_SECRET", "secret")):
                if self._env.get(env_name):
                    config[key] = self._env[env_name]
            self._exchange = getattr(ccxt, self.exchange_id)(config)
        return self._exchange

    def _timeframe(self, exchange: Any, frequency_ns: int) -> str:
        seconds = frequency_ns // 1_000_000_000
        for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)):
            if seconds and seconds % size == 0 and frequency_ns % 1_000_000_000 == 0:
                name = f"{seconds // size}{unit}"
                if name in (exchange.timeframes or {}):
                    return name
                break
        raise ConfigError(
            f"{self.exchange_id} has no {frequency_ns / 1e9:g} s candles; "
            f"it offers {sorted(exchange.timeframes or {})}"
        )

    def fetch_page(
        self, symbol: str, frequency_ns: int, start_ns: int, end_ns: int
    ) -> pd.DataFrame:
        """Candles of ``symbol`` with ``start_ns <= start < end_ns``, at most one page.

        Raises
        ------
        RateLimited
            On ccxt's ``RateLimitExceeded``/``DDoSProtection`` (``Retry-After`` kept).
        VenueUnavailable
            On other network errors and 5xx (ccxt ``OperationFailed``).
        VenueRejected
            On ccxt ``ExchangeError`` (bad symbol, bad request, auth).
        """
        ccxt = _ccxt()
        exchange = self._get()
        what = f"{self.exchange_id} {symbol}"
        try:
            timeframe = self._timeframe(exchange, frequency_ns)
            since = -(-start_ns // _MS)  # ms, rounded up so the cursor never moves back
            until = (end_ns - 1) // _MS
            rows = exchange.fetch_ohlcv(
                symbol, timeframe, since=since, limit=self.page_size, params={"until": until}
            )
        except (ccxt.RateLimitExceeded, ccxt.DDoSProtection) as exc:
            headers = exchange.last_response_headers or {}
            raise Throttled(f"{what}: {exc}", _seconds(headers.get("Retry-After"))) from exc
        except ccxt.OperationFailed as exc:
            raise VenueUnavailable(f"{what}: {exc}") from exc
        except ccxt.BaseError as exc:
            raise VenueRejected(f"{what}: {exc}") from exc
        return bars_frame([int(r[0]) * _MS for r in rows], [r[1:6] for r in rows])

    def close(self) -> None:
        """Release the HTTP session."""
        if self._exchange is not None and self._exchange.session is not None:
            self._exchange.session.close()
        self._exchange = None


def _seconds(header: object) -> float | None:
    try:
        return None if header is None else max(0.0, float(str(header)))
    except ValueError:
        return None
