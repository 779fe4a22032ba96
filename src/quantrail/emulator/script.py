"""The market an emulator serves: bars, trades and quotes per symbol, from files or code.

Symbols are written the Alpaca way: ``SPY`` for equities, ``BTC/USD`` for crypto (a slash marks
a crypto pair). The Binance emulation lists the crypto pairs under ids without the slash.

Frames are normalised once, at construction, to sorted columns with ``ts`` in UTC nanoseconds,
so request handlers only slice with ``searchsorted``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["MarketScript", "infer_symbol"]

_BAR_COLUMNS = ("open", "high", "low", "close", "volume")
_QUOTE_SOURCES = {  # quote-bar files carry OHLC per side; the close is the quote at bar end
    "bid_price": ("bid_price", "bid_close", "bid"),
    "bid_size": ("bid_size",),
    "ask_price": ("ask_price", "ask_close", "ask"),
    "ask_size": ("ask_size",),
}
_CRYPTO_QUOTES = ("USDT", "USDC", "USD", "EUR", "BTC")


def _ts_ns(frame: pd.DataFrame) -> np.ndarray:
    if "ts" in frame.columns:
        return frame["ts"].to_numpy(dtype=np.int64)
    # ISO8601 accepts the mixed -04:00/-05:00 offsets of US equity files.
    parsed = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    return np.asarray(pd.DatetimeIndex(parsed).as_unit("ns").asi8, dtype=np.int64)


def _pick(frame: pd.DataFrame, names: tuple[str, ...], default: float | None = None) -> np.ndarray:
    for name in names:
        if name in frame.columns:
            return frame[name].to_numpy(dtype=np.float64)
    if default is None:
        raise ValueError(f"missing column, expected one of {names}")
    return np.full(len(frame), default, dtype=np.float64)


def _sorted(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    return frame.sort_values("ts", kind="stable").reset_index(drop=True)


def _bars_frame(frame: pd.DataFrame) -> pd.DataFrame:
    cols = {c.lower().strip(): c for c in frame.columns}
    frame = frame.rename(columns={v: k for k, v in cols.items()})
    data: dict[str, np.ndarray] = {"ts": _ts_ns(frame)}
    for name in _BAR_COLUMNS:
        data[name] = frame[name].to_numpy(dtype=np.float64)
    # One base bar stands for one trade at its close (see trades()), hence n=1 and vwap=close
    # unless the source says otherwise.
    data["n"] = _pick(frame, ("n", "trade_count"), 1.0)
    data["vw"] = _pick(frame, ("vw", "vwap"), np.nan)
    data["vw"] = np.where(np.isnan(data["vw"]), data["close"], data["vw"])
    return _sorted(data)


def _trades_frame(frame: pd.DataFrame) -> pd.DataFrame:
    data = {
        "ts": _ts_ns(frame),
        "price": _pick(frame, ("price", "p")),
        "size": _pick(frame, ("size", "s")),
    }
    ids = frame["id"].to_numpy(dtype=np.int64) if "id" in frame.columns else None
    out = _sorted(data)
    out["id"] = ids if ids is not None else np.arange(1, len(out) + 1, dtype=np.int64)
    return out


def _quotes_frame(frame: pd.DataFrame) -> pd.DataFrame:
    data = {"ts": _ts_ns(frame)}
    for name, sources in _QUOTE_SOURCES.items():
        data[name] = _pick(frame, sources, 0.0 if name.endswith("size") else None)
    return _sorted(data)


def _resample(base: pd.DataFrame, tf_ns: int) -> pd.DataFrame:
    # Epoch-aligned buckets labelled by their start: Alpaca and Binance both align minute and
    # hour bars this way, and UTC days are what crypto venues use.
    key = base["ts"].to_numpy() // tf_ns * tf_ns
    weighted = base["vw"] * base["volume"]
    grouped = base.assign(key=key, weighted=weighted).groupby("key", sort=True)
    volume = grouped["volume"].sum()
    out = pd.DataFrame(
        {
            "ts": volume.index.to_numpy(dtype=np.int64),
            "open": grouped["open"].first().to_numpy(),
            "high": grouped["high"].max().to_numpy(),
            "low": grouped["low"].min().to_numpy(),
            "close": grouped["close"].last().to_numpy(),
            "volume": volume.to_numpy(),
            "n": grouped["n"].sum().to_numpy(),
        }
    )
    vw = grouped["weighted"].sum().to_numpy() / np.where(volume > 0, volume, np.nan)
    out["vw"] = np.where(np.isnan(vw), out["close"].to_numpy(), vw)
    return out


class MarketScript:
    """Bars, trades and quotes per symbol, plus how fast to replay them over websockets.

    Parameters
    ----------
    bars, trades, quotes : mapping of symbol to DataFrame, optional
        Bars need ``timestamp`` (bar start, ISO-8601 with offset, or any tz-aware datetime) or
        ``ts`` (UTC ns), and ``open, high, low, close, volume``. Trades need a time and
        ``price, size`` (optional ``id``); quotes ``bid_price, bid_size, ask_price, ask_size``
        (or the ``bid_close``/``ask_close`` of a quote-bar file).
    replay_pace : float or None
        None: nothing is replayed; tests push messages on demand. Otherwise each websocket
        subscription replays that symbol's script data for its channel, one message every
        ``replay_pace`` seconds (0: as fast as the socket takes them).
    replay_limit : int or None
        At most this many messages per replayed subscription.
    """

    def __init__(
        self,
        bars: Mapping[str, pd.DataFrame] | None = None,
        trades: Mapping[str, pd.DataFrame] | None = None,
        quotes: Mapping[str, pd.DataFrame] | None = None,
        *,
        replay_pace: float | None = None,
        replay_limit: int | None = None,
    ) -> None:
        self._bars = {s: _bars_frame(f) for s, f in (bars or {}).items()}
        self._trades = {s: _trades_frame(f) for s, f in (trades or {}).items()}
        self._quotes = {s: _quotes_frame(f) for s, f in (quotes or {}).items()}
        self._resampled: dict[tuple[str, int], pd.DataFrame] = {}
        self.replay_pace = replay_pace
        self.replay_limit = replay_limit

    @classmethod
    def from_files(
        cls,
        files: Mapping[str, str | Path | Sequence[str | Path]],
        *,
        replay_pace: float | None = None,
        replay_limit: int | None = None,
    ) -> MarketScript:
        """Load ``{symbol: path or [paths]}`` (CSV or Parquet); each file's columns say if it
        holds bars, trades or quotes, so one symbol can have a bar file and a quote file."""
        bars: dict[str, pd.DataFrame] = {}
        trades: dict[str, pd.DataFrame] = {}
        quotes: dict[str, pd.DataFrame] = {}
        pairs = [
            (symbol, Path(p))
            for symbol, given in files.items()
            for p in ([given] if isinstance(given, str | Path) else given)
        ]
        for symbol, path in pairs:
            if path.suffix in (".parquet", ".pq"):
                frame = pd.read_parquet(path)
            else:
                frame = pd.read_csv(path)
            columns = {str(c).lower().strip() for c in frame.columns}
            if "bid_close" in columns or "bid_price" in columns:
                quotes[symbol] = frame
            elif "price" in columns:
                trades[symbol] = frame
            else:
                bars[symbol] = frame
        return cls(bars, trades, quotes, replay_pace=replay_pace, replay_limit=replay_limit)

    @property
    def symbols(self) -> list[str]:
        """Every symbol with bars, trades or quotes, sorted."""
        return sorted({*self._bars, *self._trades, *self._quotes})

    def knows(self, symbol: str) -> bool:
        """True when the script has any data for ``symbol``."""
        return symbol in self._bars or symbol in self._trades or symbol in self._quotes

    def base_frequency_ns(self, symbol: str) -> int | None:
        """Spacing of the symbol's bars (smallest gap between consecutive bars), or None."""
        frame = self._bars.get(symbol)
        if frame is None or len(frame) < 2:
            return None
        gaps = np.diff(frame["ts"].to_numpy())
        positive = gaps[gaps > 0]
        return int(positive.min()) if len(positive) else None

    def bars(self, symbol: str, timeframe_ns: int | None = None) -> pd.DataFrame:
        """Bars (``ts, open, high, low, close, volume, n, vw``) at ``timeframe_ns``.

        Raises
        ------
        ValueError
            When the timeframe is finer than the data or not a multiple of it.
        """
        base = self._bars.get(symbol)
        if base is None:
            return _bars_frame(pd.DataFrame({"ts": [], **{c: [] for c in _BAR_COLUMNS}}))
        freq = self.base_frequency_ns(symbol)
        if timeframe_ns is None or freq is None or timeframe_ns == freq:
            return base
        if timeframe_ns < freq or timeframe_ns % freq:
            raise ValueError(f"timeframe {timeframe_ns} ns cannot be built from {freq} ns bars")
        key = (symbol, timeframe_ns)
        if key not in self._resampled:
            self._resampled[key] = _resample(base, timeframe_ns)
        return self._resampled[key]

    def trades(self, symbol: str) -> pd.DataFrame:
        """Trades (``ts, price, size, id``): the given ones, else one per bar at its close."""
        given = self._trades.get(symbol)
        if given is not None:
            return given
        bars = self._bars.get(symbol)
        if bars is None:
            return _trades_frame(pd.DataFrame({"ts": [], "price": [], "size": []}))
        derived = pd.DataFrame({"ts": bars["ts"], "price": bars["close"], "size": bars["volume"]})
        self._trades[symbol] = _trades_frame(derived)
        return self._trades[symbol]

    def quotes(self, symbol: str) -> pd.DataFrame:
        """Quotes (``ts, bid_price, bid_size, ask_price, ask_size``); empty when none given."""
        given = self._quotes.get(symbol)
        if given is not None:
            return given
        return _quotes_frame(pd.DataFrame({"ts": [], "bid_price": [], "ask_price": []}))


def infer_symbol(path: str | Path) -> str:
    """Guess a symbol from a bundled file name: ``equity_daily_SPY.csv`` -> ``SPY``,
    ``crypto_minute_BTCUSD_...csv`` -> ``BTC/USD``.

    Raises
    ------
    ValueError
        When no upper-case ticker appears in the name.
    """
    stem = Path(path).stem
    tokens = [t for t in stem.split("_") if re.fullmatch(r"[A-Z][A-Z0-9.]{0,11}", t)]
    if not tokens:
        raise ValueError(f"cannot infer a symbol from {Path(path).name}; name it SYMBOL=path")
    ticker = tokens[0]
    if stem.lower().startswith(("crypto", "quote")):
        for quote in _CRYPTO_QUOTES:
            if ticker.endswith(quote) and len(ticker) > len(quote):
                return f"{ticker[: -len(quote)]}/{quote}"
    return ticker
