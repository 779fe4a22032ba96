"""Equity per event, derived after the run from fills and closes.

The loop never rebuilds equity per bar: it records each fill with the index of the event at
which it was booked. Afterwards, with E events and S symbols:

1. cash[e] = starting cash + cumulative sum of (-signed quantity x price - commission) of fills
   booked at events <= e, plus dividends received or paid;
2. position_s[e] = cumulative sum of signed fill quantities of symbol s, plus the extra shares of
   splits;
3. mark_s[e] = the close of symbol s at its latest event <= e (forward-filled);
4. equity[e] = cash[e] + sum over s of position_s[e] x mark_s[e].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Adjustments", "Ledger", "build_ledger"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Ledger:
    equity: FloatArray  # per event
    cash: FloatArray  # per event
    gross_exposure: FloatArray  # per event: sum over symbols of |position| x mark


@dataclass(frozen=True)
class Adjustments:
    """Position and cash changes that are not fills: splits and dividends, per event."""

    event: IntArray
    symbol: IntArray
    quantity: FloatArray  # signed change in shares (a split's extra shares)
    cash: FloatArray  # cash received (+) or paid (-)

    @staticmethod
    def empty() -> Adjustments:
        return Adjustments(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))


def _forward_filled_mark(symbol_index: IntArray, close: FloatArray, symbol: int) -> FloatArray:
    """The close of ``symbol`` at its latest event <= e, for every event e (0 before its first)."""
    positions = np.arange(len(close))
    last_seen = np.where(symbol_index == symbol, positions, -1)
    np.maximum.accumulate(last_seen, out=last_seen)
    return np.where(last_seen >= 0, close[np.maximum(last_seen, 0)], 0.0)


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
    adjustments: Adjustments | None = None,
) -> Ledger:
    n = len(close)
    adj = adjustments or Adjustments.empty()
    cash_flow = -fill_signed_quantity * fill_price - fill_commission
    flows = np.bincount(fill_event, weights=cash_flow, minlength=n).astype(np.float64)
    flows += np.bincount(adj.event, weights=adj.cash, minlength=n)
    cash = starting_cash + np.cumsum(flows)
    equity = cash.copy()
    gross = np.zeros(n)
    # One symbol at a time, so memory stays a few event-length arrays however many symbols.
    for s in range(n_symbols):
        own = fill_symbol == s
        adjusted = adj.symbol == s
        if not (own.any() or adjusted.any()):
            continue
        changes = np.bincount(fill_event[own], weights=fill_signed_quantity[own], minlength=n)
        changes += np.bincount(adj.event[adjusted], weights=adj.quantity[adjusted], minlength=n)
        position = np.cumsum(changes)
        # Float sums of +q and -q can leave 1e-12 crumbs; such a position is flat.
        position[np.abs(position) < 1e-9] = 0.0
        held = position * _forward_filled_mark(symbol_index, close, s)
        equity += held
        gross += np.abs(held)
    return Ledger(equity=equity, cash=cash, gross_exposure=gross)
