"""Fast path of ``zscore_reversion``: the same targets, fills and costs as the event engine.

The strategy (``strategy/builtin/zscore_reversion.py``) computes the z-score of each bar's
close-to-close return over the last ``lookback`` returns; from flat it targets +``quantity``
at z <= -``entry_z`` (or -``quantity`` at z >= ``entry_z`` with ``allow_short``), targets 0
once |z| <= ``exit_z``, and waits ``cooldown`` bars after an exit decision. Orders go through
``target_position``; each fills on the next bar, so none is pending at a decision.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import prange

from quantrail.indicators.vectorized import zscore
from quantrail.research.fast import _nb
from quantrail.research.fast._nb import FloatArray, IntArray
from quantrail.research.fast.market import Market
from quantrail.research.fast.plan import Plan, indicator_table
from quantrail.strategy.builtin.zscore_reversion import (
    EXIT_REASON,
    LONG_REASON,
    SHORT_REASON,
    ZScoreReversionParams,
)

__all__ = ["REASONS", "plan", "zscore_reversion_nb"]

REASONS = (LONG_REASON, SHORT_REASON, EXIT_REASON)


@_nb.pnjit
def zscore_reversion_nb(  # noqa: C901 - mirrors on_bar branch for branch
    ref: FloatArray, close: FloatArray, volume: FloatArray, sigma: FloatArray,
    half_spread: FloatArray, z_table: FloatArray, z_idx: IntArray, entry_z: FloatArray,
    exit_z: FloatArray, cooldown: IntArray, quantity: FloatArray, allow_short: IntArray,
    cost: FloatArray, fills_f: FloatArray, fills_i: IntArray, count: IntArray,
    status: IntArray, account: FloatArray,
) -> None:  # fmt: skip
    """Simulate every parameter set ``c`` (in parallel) over all bars; see ``Plan``."""
    n = close.shape[0]
    for c in prange(z_idx.shape[0]):
        acct = account[c]
        z_c = z_table[z_idx[c]]
        q = quantity[c]
        pending = 0.0
        pending_seq = 0
        pending_code = 0
        seq = 0
        last_exit = -1  # bar index of the last exit decision; -1: none yet
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
            z = z_c[t]
            if z == z:  # lookback returns exist
                position = acct[_nb.A_POS]
                target = np.nan
                code = 0
                if abs(position) > 1e-9:
                    if abs(z) <= exit_z[c]:
                        target, code = 0.0, 2
                        last_exit = t
                elif last_exit >= 0 and t - last_exit <= cooldown[c]:
                    pass
                elif q * close[t] > _nb.portfolio_equity_nb(acct, close[t]):
                    pass  # the account can no longer carry one position unlevered
                elif z <= -entry_z[c]:
                    target, code = q, 0
                elif z >= entry_z[c] and allow_short[c] != 0:
                    target, code = -q, 1
                if target == target:
                    delta = target - position - 0.0  # target_position: nothing pending
                    if abs(delta) >= 1e-9:
                        seq += 1
                        pending, pending_seq, pending_code = delta, seq, code


def _z_of_returns(close: FloatArray, lookback: int) -> FloatArray:
    """z of bar t's return, aligned to bars (NaN on bar 0, which has no return)."""
    out = np.full(len(close), np.nan)
    if len(close) > 1:
        out[1:] = zscore(close[1:] / close[:-1] - 1.0, lookback)
    return out


def plan(market: Market, params: Sequence[ZScoreReversionParams]) -> Plan:
    """Z-scores of returns from the indicators' vectorized twin, once per distinct lookback."""
    z_table, z_idx = indicator_table(
        [p.lookback for p in params], lambda n: _z_of_returns(market.close, n)
    )
    return Plan(
        kernel=zscore_reversion_nb,
        shared=(market.ref, market.close, market.volume, market.sigma, market.half_spread, z_table),
        per_combo=(
            z_idx,
            np.array([p.entry_z for p in params], dtype=np.float64),
            np.array([p.exit_z for p in params], dtype=np.float64),
            np.array([p.cooldown for p in params], dtype=np.int64),
            np.array([p.quantity for p in params], dtype=np.float64),
            np.array([int(p.allow_short) for p in params], dtype=np.int64),
        ),
        reasons=REASONS,
    )
