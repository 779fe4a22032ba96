"""Fast path of ``rsi_reversion``: the same entries, exits, fills and costs as the event engine.

The strategy (``strategy/builtin/rsi_reversion.py``) buys ``quantity`` when flat, RSI is below
``entry_below``, the bar's volume is at least ``min_volume_ratio`` times its average and the
entry's notional fits in the equity; it sells the whole position once the close reaches the
SMA of closes. Each decision fills on the next bar, so no order is working at a decision.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import prange

from quantrail.indicators.vectorized import rsi, sma
from quantrail.research.fast import _nb
from quantrail.research.fast._nb import FloatArray, IntArray
from quantrail.research.fast.market import Market
from quantrail.research.fast.plan import Plan, indicator_table
from quantrail.strategy.builtin.rsi_reversion import (
    ENTRY_REASON,
    EXIT_REASON,
    RsiReversionParams,
)

__all__ = ["REASONS", "plan", "rsi_reversion_nb"]

REASONS = (ENTRY_REASON, EXIT_REASON)


@_nb.pnjit
def rsi_reversion_nb(
    ref: FloatArray, close: FloatArray, volume: FloatArray, sigma: FloatArray,
    half_spread: FloatArray, rsi_table: FloatArray, mean_table: FloatArray,
    volume_table: FloatArray, rsi_idx: IntArray, mean_idx: IntArray, volume_idx: IntArray,
    entry_below: FloatArray, min_ratio: FloatArray, quantity: FloatArray, cost: FloatArray,
    fills_f: FloatArray, fills_i: IntArray, count: IntArray, status: IntArray,
    account: FloatArray,
) -> None:  # fmt: skip
    """Simulate every parameter set ``c`` (in parallel) over all bars; see ``Plan``."""
    n = close.shape[0]
    for c in prange(rsi_idx.shape[0]):
        acct = account[c]
        rsi_c = rsi_table[rsi_idx[c]]
        mean_c = mean_table[mean_idx[c]]
        avg_volume = volume_table[volume_idx[c]]
        q = quantity[c]
        pending = 0.0
        pending_seq = 0
        pending_code = 0
        seq = 0
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
            r, mean, av = rsi_c[t], mean_c[t], avg_volume[t]
            if r == r and mean == mean and av == av:  # all warm
                position = acct[_nb.A_POS]
                if position > 0.0:
                    if close[t] >= mean:
                        seq += 1
                        pending, pending_seq, pending_code = -position, seq, 1
                elif position == 0.0 and r < entry_below[c]:
                    volume_ok = min_ratio[c] <= 0.0 or (av > 0 and volume[t] / av >= min_ratio[c])
                    # No entry whose notional exceeds the equity.
                    if volume_ok and not q * close[t] > _nb.portfolio_equity_nb(acct, close[t]):
                        seq += 1
                        pending, pending_seq, pending_code = q, seq, 0


def plan(market: Market, params: Sequence[RsiReversionParams]) -> Plan:
    """RSI, the exit mean and the average volume from the indicators' vectorized twins."""
    rsi_table, rsi_idx = indicator_table([p.period for p in params], lambda n: rsi(market.close, n))
    mean_table, mean_idx = indicator_table(
        [p.exit_mean_period for p in params], lambda n: sma(market.close, n)
    )
    volume_table, volume_idx = indicator_table(
        [p.volume_period for p in params], lambda n: sma(market.volume, n)
    )
    return Plan(
        kernel=rsi_reversion_nb,
        shared=(
            market.ref,
            market.close,
            market.volume,
            market.sigma,
            market.half_spread,
            rsi_table,
            mean_table,
            volume_table,
        ),
        per_combo=(
            rsi_idx,
            mean_idx,
            volume_idx,
            np.array([p.entry_below for p in params], dtype=np.float64),
            np.array([p.min_volume_ratio for p in params], dtype=np.float64),
            np.array([p.quantity for p in params], dtype=np.float64),
        ),
        reasons=REASONS,
    )
