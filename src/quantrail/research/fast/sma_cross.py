"""Fast path of ``sma_cross``: the same crosses, orders, fills and costs as the event engine.

The strategy (``strategy/builtin/sma_cross.py``) buys ``quantity`` when the fast SMA crosses
above the slow one while flat, and sells the whole position when it crosses below. A decision
on bar t is a market order that fills on bar t + 1 (zero latency, no volume cap), so at most
one order is ever working and it always fills before the next decision.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import prange

from quantrail.indicators.vectorized import sma
from quantrail.research.fast import _nb
from quantrail.research.fast._nb import FloatArray, IntArray
from quantrail.research.fast.market import Market
from quantrail.research.fast.plan import Plan, indicator_table
from quantrail.strategy.builtin.sma_cross import SmaCrossParams

__all__ = ["REASONS", "plan", "sma_cross_nb"]

REASONS = ("fast crossed above slow", "fast crossed below slow")


@_nb.pnjit
def sma_cross_nb(
    ref: FloatArray, close: FloatArray, volume: FloatArray, sigma: FloatArray,
    half_spread: FloatArray, table: FloatArray, fast_idx: IntArray, slow_idx: IntArray,
    quantity: FloatArray, cost: FloatArray, fills_f: FloatArray, fills_i: IntArray,
    count: IntArray, status: IntArray, account: FloatArray,
) -> None:  # fmt: skip
    """Simulate every parameter set ``c`` (in parallel) over all bars; see ``Plan``."""
    n = close.shape[0]
    for c in prange(fast_idx.shape[0]):
        acct = account[c]
        fast = table[fast_idx[c]]
        slow = table[slow_idx[c]]
        q = quantity[c]
        pending = 0.0
        pending_seq = 0
        pending_code = 0
        seq = 0
        was_above = -1  # -1: no cross can be counted yet
        for t in range(n):
            if pending != 0.0:
                price = _nb.book_nb(
                    acct, fills_f, fills_i, count, status, c, t, pending, ref[t],
                    _nb.RULE_MARKET, pending_code, pending_seq, half_spread[t], sigma[t],
                    volume[t], cost,
                )  # fmt: skip
                if price != price:
                    break  # off the lot grid: the caller reruns this set on the event engine
                pending = 0.0
            s = slow[t]
            if s == s:  # the slow average is warm
                above = 1 if fast[t] > s else 0
                if was_above >= 0 and above != was_above:
                    position = acct[_nb.A_POS]
                    if above == 1 and position == 0.0:
                        seq += 1
                        pending, pending_seq, pending_code = q, seq, 0
                    elif above == 0 and position > 0.0:
                        seq += 1
                        pending, pending_seq, pending_code = -position, seq, 1
                was_above = above


def plan(market: Market, params: Sequence[SmaCrossParams]) -> Plan:
    """Compute each distinct SMA once (the indicators' vectorized twin) and index into them."""
    periods = [p.fast for p in params] + [p.slow for p in params]
    table, idx = indicator_table(periods, lambda n: sma(market.close, n))
    k = len(params)
    return Plan(
        kernel=sma_cross_nb,
        shared=(market.ref, market.close, market.volume, market.sigma, market.half_spread, table),
        per_combo=(idx[:k], idx[k:], np.array([p.quantity for p in params], dtype=np.float64)),
        reasons=REASONS,
    )
