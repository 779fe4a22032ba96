"""The replayed market the trading emulation fills against: a script's bars in time order.

Everything the fill model needs per bar is computed once here, the way the backtest engine does
it: the bar's close time (start + the symbol's bar spacing), its session (local date; UTC for
crypto pairs), and sigma, the standard deviation (ddof 1) of close-to-close returns over the
``volatility_window`` bars *before* the bar. Bars that start at the same moment form one step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quantrail.core.bar import Bar
from quantrail.emulator.script import MarketScript

__all__ = ["BarTape", "TapeBar"]

_NANOS_PER_DAY = 86_400_000_000_000
_DEFAULT_SPACING = 60_000_000_000  # a symbol with a single bar: assume a minute


@dataclass(frozen=True)
class TapeBar:
    """One bar as the fill model receives it, with sigma and its distance to the session end."""

    bar: Bar
    sigma: float
    bars_to_session_end: int  # 0 for the session's last bar


def _session_days(ts: np.ndarray, zone: str) -> np.ndarray:
    """Local calendar date of each UTC instant in ``zone``, as days since 1970-01-01."""
    if zone == "UTC":
        return ts // _NANOS_PER_DAY
    local = pd.DatetimeIndex(pd.to_datetime(ts, unit="ns", utc=True)).tz_convert(zone)
    wall = np.asarray(local.tz_localize(None).as_unit("ns").asi8, dtype=np.int64)
    return wall // _NANOS_PER_DAY


def _symbol_frame(script: MarketScript, symbol: str, zone: str, window: int) -> pd.DataFrame:
    bars = script.bars(symbol)
    ts = bars["ts"].to_numpy(dtype=np.int64)
    spacing = script.base_frequency_ns(symbol) or _DEFAULT_SPACING
    session = _session_days(ts, "UTC" if "/" in symbol else zone)
    returns = bars["close"].pct_change()
    # Same estimator as the engine's trailing sigma: shift(1) keeps the bar's own move out.
    sigma = returns.rolling(window, min_periods=2).std(ddof=1).shift(1).fillna(0.0)
    frame = pd.DataFrame(
        {
            "symbol": symbol,
            "ts_open": ts,
            "ts": ts + spacing,
            "open": bars["open"].to_numpy(),
            "high": bars["high"].to_numpy(),
            "low": bars["low"].to_numpy(),
            "close": bars["close"].to_numpy(),
            "volume": bars["volume"].to_numpy(),
            "session": session,
            "sigma": sigma.to_numpy(),
        }
    )
    frame["to_end"] = frame.groupby("session").cumcount(ascending=False)
    return frame


class BarTape:
    """The bars of ``symbols`` (default: every symbol of the script with bars), step by step.

    Parameters
    ----------
    script : MarketScript
        Where the bars come from.
    symbols : sequence of str, optional
        Which symbols trade. Default: all that have bars.
    session_tz : str
        Time zone whose local date is an equity bar's session (crypto pairs use UTC).
    volatility_window : int
        Bars in the trailing sigma (match the fill model's ``slippage.volatility_window``).
    """

    def __init__(
        self,
        script: MarketScript,
        symbols: Sequence[str] | None = None,
        session_tz: str = "America/New_York",
        volatility_window: int = 20,
    ) -> None:
        names = list(symbols) if symbols is not None else script.symbols
        frames = [
            _symbol_frame(script, s, session_tz, volatility_window)
            for s in names
            if len(script.bars(s))
        ]
        if frames:
            merged = pd.concat(frames, ignore_index=True)
            merged = merged.sort_values(["ts_open", "symbol"], kind="stable")
            self._frame = merged.reset_index(drop=True)
        else:
            self._frame = pd.DataFrame({"ts_open": np.zeros(0, dtype=np.int64)})
        starts = self._frame["ts_open"].to_numpy(dtype=np.int64)
        self._steps, first_rows = np.unique(starts, return_index=True)
        self._bounds = [*first_rows.tolist(), len(starts)]
        self.symbols = sorted(set(self._frame.get("symbol", pd.Series(dtype=str)).tolist()))
        self.cursor = 0  # steps consumed

    def __len__(self) -> int:
        return len(self._steps)

    @property
    def remaining(self) -> int:
        """Steps not replayed yet."""
        return len(self._steps) - self.cursor

    @property
    def start_ns(self) -> int:
        """Start of the first bar (0 for an empty tape): the emulator's time before any step."""
        return int(self._steps[0]) if len(self._steps) else 0

    @property
    def last_start_ns(self) -> int | None:
        """Start of the last replayed step, or None before the first."""
        return int(self._steps[self.cursor - 1]) if self.cursor else None

    def seek_after(self, start_ns: int | None) -> None:
        """Resume after the step that started at ``start_ns`` (None: from the beginning)."""
        if start_ns is None:
            self.cursor = 0
        else:
            self.cursor = int(np.searchsorted(self._steps, start_ns, side="right"))

    def first_open(self, symbol: str) -> float:
        """Open of the symbol's first bar (a mark before anything was replayed), else NaN."""
        if "symbol" not in self._frame:
            return float("nan")
        rows = self._frame.loc[self._frame["symbol"] == symbol, "open"]
        return float(rows.iloc[0]) if len(rows) else float("nan")

    def next_step(self) -> list[TapeBar] | None:
        """The bars of the next step (one per symbol that has a bar then), or None at the end."""
        if self.cursor >= len(self._steps):
            return None
        lo, hi = self._bounds[self.cursor], self._bounds[self.cursor + 1]
        self.cursor += 1
        cols = [
            self._frame[name].iloc[lo:hi].tolist()
            for name in ("symbol", "ts", "ts_open", "open", "high", "low", "close", "volume")
        ]
        extra = [self._frame[n].iloc[lo:hi].tolist() for n in ("session", "sigma", "to_end")]
        out: list[TapeBar] = []
        for (symbol, ts, ts_open, o, h, low, c, v), (session, sigma, to_end) in zip(
            zip(*cols, strict=True), zip(*extra, strict=True), strict=True
        ):
            bar = Bar(symbol, ts, ts_open, o, h, low, c, v, session=session)
            out.append(TapeBar(bar, sigma, to_end))
        return out
