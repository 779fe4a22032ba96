"""Equity per event, derived after the run from fills and closes.

The loop never rebuilds equity per bar: it records each fill with the index of the event at
which it was booked. Afterwards, with E events and S symbols:

1. cash[e] = starting cash + cumulative sum of (-signed quantity x price - commission) of fills
   booked at events <= e;
2. position[s, e] = cumulative sum of signed fill quantities of symbol s;
3. mark[s, e] = the close of symbol s at its latest event <= e (forward-filled);
4. equity[e] = cash[e] + sum over s of position[s, e] x mark[s, e].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Ledger", "build_ledger"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Ledger:
    equity: FloatArray  # per event
    cash: FloatArray  # per event
    positions: FloatArray  # shape (S, E)
    gross_exposure: FloatArray  # per event, sum |position| x mark


def _forward_filled_marks(symbol_index: IntArray, close: FloatArray, n_symbols: int) -> FloatArray:
    n = len(close)
    marks = np.full((n_symbols, n), np.nan)
    positions = np.arange(n)
    for s in range(n_symbols):
        own = symbol_index == s
        last_seen = np.where(own, positions, -1)
        np.maximum.accumulate(last_seen, out=last_seen)
        seen = last_seen >= 0
        marks[s, seen] = close[last_seen[seen]]
    return marks


def build_ledger(
    *,
    starting_cash: float,
    symbol_index: IntArray,
    close: FloatArray,
    n_symbols: int,
    fill_event: IntArray,
    fill_symbol: IntArray,
    fill_signed_quantity: FloatArray,
    fill_price: FloatArray,
    fill_commission: FloatArray,
) -> Ledger:
    n = len(close)
    cash_flow = -fill_signed_quantity * fill_price - fill_commission
    flows = np.bincount(fill_event, weights=cash_flow, minlength=n).astype(np.float64)
    cash = starting_cash + np.cumsum(flows)
    positions = np.zeros((n_symbols, n))
    for s in range(n_symbols):
        own = fill_symbol == s
        if own.any():
            positions[s] = np.cumsum(
                np.bincount(fill_event[own], weights=fill_signed_quantity[own], minlength=n)
            )
    # Float sums of +q and -q can leave 1e-12 crumbs; a position is zero when it rounds to zero.
    positions[np.abs(positions) < 1e-9] = 0.0
    marks = _forward_filled_marks(symbol_index, close, n_symbols)
    held = np.where(positions != 0.0, positions * np.nan_to_num(marks), 0.0)
    equity = cash + held.sum(axis=0)
    gross = np.abs(held).sum(axis=0)
    return Ledger(equity=equity, cash=cash, positions=positions, gross_exposure=gross)
