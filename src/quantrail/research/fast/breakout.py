"""Fast path of ``breakout``: entries, the trailing ATR stop and channel exits as the engine.

The strategy (``strategy/builtin/breakout.py``), with zero latency and no volume cap:

- flat, no working order, close > the highest high of the ``channel`` bars before: buy
  floor(equity x risk_pct / (atr_multiple x ATR)) units (at most ``max_quantity``) at the
  next bar;
- when the entry fills, a sell stop for the position at fill price - atr_multiple x ATR (the
  ATR that sized the entry). A stop price <= 0 is denied by the risk hook: no stop then;
- after each bar while long: close < the lowest low of the ``exit_channel`` bars before ->
  cancel the stop (at once: zero latency) and sell at the next bar; otherwise trail the stop up
  to close - atr_multiple x ATR, never down;
- the stop is matched before anything else on a bar: a bar that opens at or below it fills at
  the open (gap), else a low that reaches it fills at the stop; both pay spread and slippage.

So at most one order is working at the start of a bar: the entry, the stop or the exit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numba import prange

from quantrail.indicators.vectorized import atr
from quantrail.research.fast import _nb
from quantrail.research.fast._nb import FloatArray, IntArray
from quantrail.research.fast.market import Market
from quantrail.research.fast.plan import Plan, indicator_table
from quantrail.strategy.builtin.breakout import (
    ENTRY_REASON,
    EXIT_REASON,
    STOP_REASON,
    BreakoutParams,
)

__all__ = ["REASONS", "breakout_nb", "plan", "prior_extreme_nb"]

REASONS = (ENTRY_REASON, STOP_REASON, EXIT_REASON)
_ENTRY, _STOP, _EXIT = 0, 1, 2


@_nb.njit_cached
def prior_extreme_nb(x: FloatArray, n: int, highest: bool) -> FloatArray:
    """max (or min) of the ``n`` values before each index; NaN until ``n`` exist."""
    m = x.shape[0]
    out = np.full(m, np.nan)
    for t in range(n, m):
        v = x[t - n]
        for j in range(t - n + 1, t):
            if (x[j] > v) if highest else (x[j] < v):
                v = x[j]
        out[t] = v
    return out


@_nb.pnjit
def breakout_nb(  # noqa: C901 - one pass, in the strategy's callback order
    ref: FloatArray, open_: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray,
    sigma: FloatArray, half_spread: FloatArray, upper_table: FloatArray,
    lower_table: FloatArray, atr_table: FloatArray, upper_idx: IntArray, lower_idx: IntArray,
    atr_idx: IntArray, atr_multiple: FloatArray, risk_pct: FloatArray, max_quantity: FloatArray,
    cost: FloatArray, fills_f: FloatArray, fills_i: IntArray, count: IntArray,
    status: IntArray, account: FloatArray,
) -> None:  # fmt: skip
    """Simulate every parameter set ``c`` (in parallel) over all bars; see ``Plan``."""
    n = close.shape[0]
    for c in prange(upper_idx.shape[0]):
        acct = account[c]
        upper = upper_table[upper_idx[c]]
        lower = lower_table[lower_idx[c]]
        atr_c = atr_table[atr_idx[c]]
        mult = atr_multiple[c]
        seq = 0
        entry_qty = 0.0  # a working market buy
        entry_seq = 0
        entry_atr = 0.0
        exit_qty = 0.0  # a working market sell
        exit_seq = 0
        stop_qty = 0.0  # a working sell stop
        stop_seq = 0
        stop_price = 0.0
        for t in range(n):
            price = 0.0  # NaN after a fill that cannot be reproduced
            if stop_qty > 0.0:  # stops are matched first
                trigger = np.nan
                rule = _nb.RULE_STOP_GAP
                if open_[t] <= stop_price:
                    trigger = open_[t]  # a gap through the stop fills at the open
                elif low[t] <= stop_price:
                    trigger, rule = stop_price, _nb.RULE_STOP_TRIGGERED
                if trigger == trigger:
                    price = _nb.book_nb(
                        acct, fills_f, fills_i, count, status, c, t, -stop_qty, trigger, rule,
                        _STOP, stop_seq, half_spread[t], sigma[t], volume[t], cost,
                    )  # fmt: skip
                    stop_qty = 0.0
            elif entry_qty > 0.0:
                price = _nb.book_nb(
                    acct, fills_f, fills_i, count, status, c, t, entry_qty, ref[t],
                    _nb.RULE_MARKET, _ENTRY, entry_seq, half_spread[t], sigma[t], volume[t],
                    cost,
                )  # fmt: skip
                entry_qty = 0.0
                # on_fill: protect the position. The stop order is created either way; the
                # risk hook denies a stop price <= 0, which leaves the position without one.
                seq += 1
                candidate = price - mult * entry_atr
                if candidate > 0 and math.isfinite(candidate):
                    stop_qty, stop_seq, stop_price = acct[_nb.A_POS], seq, candidate
            elif exit_qty > 0.0:
                price = _nb.book_nb(
                    acct, fills_f, fills_i, count, status, c, t, -exit_qty, ref[t],
                    _nb.RULE_MARKET, _EXIT, exit_seq, half_spread[t], sigma[t], volume[t], cost,
                )  # fmt: skip
                exit_qty = 0.0
            if price != price:
                break  # off the lot grid: the caller reruns this set on the event engine
            a = atr_c[t]
            position = acct[_nb.A_POS]
            if position > 0.0:
                lo = lower[t]
                if lo == lo and close[t] < lo:
                    stop_qty = 0.0  # canceled at once
                    seq += 1
                    exit_qty, exit_seq = position, seq
                elif stop_qty > 0.0 and a == a:
                    candidate = close[t] - mult * a
                    if candidate > stop_price:
                        stop_price = candidate
            elif position == 0.0:
                up = upper[t]
                if up == up and a == a and close[t] > up and a > 0:
                    equity_now = _nb.portfolio_equity_nb(acct, close[t])
                    raw = equity_now * risk_pct[c] / (mult * a)
                    qty = np.floor(raw + 1e-9)
                    if max_quantity[c] == max_quantity[c]:
                        qty = min(qty, np.floor(max_quantity[c]))
                    if qty >= 1:
                        seq += 1
                        entry_qty, entry_seq, entry_atr = qty, seq, a


def plan(market: Market, params: Sequence[BreakoutParams]) -> Plan:
    """ATR from the indicators' vectorized twin; the channels from the bars before each bar."""
    upper_table, upper_idx = indicator_table(
        [p.channel for p in params], lambda n: prior_extreme_nb(market.high, n, True)
    )
    lower_table, lower_idx = indicator_table(
        [p.exit_channel for p in params], lambda n: prior_extreme_nb(market.low, n, False)
    )
    atr_table, atr_idx = indicator_table(
        [p.atr_period for p in params],
        lambda n: atr(market.high, market.low, market.close, n),
    )
    return Plan(
        kernel=breakout_nb,
        shared=(
            market.ref,
            market.open,
            market.low,
            market.close,
            market.volume,
            market.sigma,
            market.half_spread,
            upper_table,
            lower_table,
            atr_table,
        ),
        per_combo=(
            upper_idx,
            lower_idx,
            atr_idx,
            np.array([p.atr_multiple for p in params], dtype=np.float64),
            np.array([p.risk_pct for p in params], dtype=np.float64),
            np.array(
                [np.nan if p.max_quantity is None else p.max_quantity for p in params],
                dtype=np.float64,
            ),
        ),
        reasons=REASONS,
    )
