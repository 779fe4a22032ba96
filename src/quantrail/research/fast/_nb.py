"""Numba pieces shared by the fast-path kernels: fill prices, commission, the account.

Each helper repeats the event engine's arithmetic operation for operation, so a kernel's fills
and equity agree with ``run_backtest`` to the last bit, not merely to a tolerance:

- ``fill_price_nb`` is ``execution.costs.slippage_fraction`` followed by the price line of
  ``FillSimulator._fill`` and ``Instrument.round_price_up``/``round_price_down``;
- ``commission_nb`` is ``execution.costs.commission_for`` for an order's single fill (the fast
  path has no volume cap, so every order fills at once) and the ``round(..., 10)`` the
  simulator applies to a fill's commission;
- ``book_nb`` updates the account the way ``Portfolio.apply_fill`` does (what the strategy
  reads: position, cash, equity);
- ``ledger_nb`` rebuilds the equity curve from the fills the way ``engine.ledger.build_ledger``
  does (cumulative cash flows added to the starting cash, which sums in another order than
  the portfolio). Kernels do not write equity per bar: a sweep needs the curve of one
  parameter set at a time, for its metrics, and writing every set's curve would cost more
  time and memory than simulating them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = [
    "ACCOUNT_SIZE",
    "COST_SIZE",
    "book_nb",
    "commission_nb",
    "fill_price_nb",
    "ledger_nb",
    "njit_cached",
    "pnjit",
    "portfolio_equity_nb",
    "round10_nb",
    "round_price_nb",
    "round_quantity_nb",
]

_F = TypeVar("_F", bound=Callable[..., Any])
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def njit_cached(fn: _F) -> _F:
    # numba ships no type hints; the cast keeps each kernel's signature visible to strict mypy.
    return cast(_F, njit(cache=True)(fn))


def pnjit(fn: _F) -> _F:
    """``njit(cache=True, parallel=True)``: kernels that spread parameter sets over the cores."""
    return cast(_F, njit(cache=True, parallel=True)(fn))


# Cost vector layout (built by ``market.cost_vector``).
C_FIXED_BPS, C_VOL, C_IMPACT, C_TICK, C_LOT = 0, 1, 2, 3, 4
C_PER_SHARE, C_MIN, C_MAX, C_HAS_MAX, C_PERCENT, C_FIXED_FEE, C_CASH = 5, 6, 7, 8, 9, 10, 11
COST_SIZE = 12

# Account layout, one small array per parameter set.
A_CASH, A_POS, A_TURNOVER = 0, 1, 2
ACCOUNT_SIZE = 3

# Fill record layout: fills_f[c, k] = (signed quantity, price, reference price, commission);
# fills_i[c, k] = (bar, order sequence number, code). Codes index the strategy's reasons.
F_QTY, F_PRICE, F_REF, F_COMM = 0, 1, 2, 3
I_BAR, I_SEQ, I_CODE = 0, 1, 2
# Price rules, added to a fill's code x 4 so one integer carries both.
RULE_MARKET, RULE_STOP_GAP, RULE_STOP_TRIGGERED = 0, 1, 2

# Kernel status per parameter set.
STATUS_OK, STATUS_OVERFLOW, STATUS_LOT = 0, 1, 2


@njit_cached
def _two_product_nb(a: float, b: float) -> tuple[float, float]:
    """``a x b`` as ``p + e`` exactly (Dekker's product with Veltkamp's split)."""
    p = a * b
    c = 134217729.0 * a  # 2**27 + 1
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = 134217729.0 * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


@njit_cached
def round10_nb(x: float) -> float:
    """Python's ``round(x, 10)``: to the nearest multiple of 1e-10 of the *exact* value of x,
    ties to even, then the nearest double.

    ``x * 1e10`` is rounded once more than CPython's computation; its exact error term decides
    the cases that land on a half (a fee of 4 x 1.611328125 x 0.25 % does).
    """
    if not math.isfinite(x) or abs(x) >= 2097152.0:
        return x  # half an ulp of x exceeds 0.5e-10: x is the double nearest its rounding
    y, err = _two_product_nb(x, 1e10)
    if abs(y) >= 4503599627370496.0:
        # y is an integer already (2**52 and up); the exact product y + err rounds to y + r.
        r = float(np.rint(err))
        if abs(err - r) == 0.5 and (y + r) % 2.0 != 0.0:
            r += 1.0 if err > r else -1.0
        q = y / 1e10
        p, e = _two_product_nb(q, 1e10)
        return q + (((y - p) - e) + r) / 1e10  # (y + r) / 1e10 with the rest carried
    z = float(np.rint(y))  # ties to even, like CPython
    # |y - z| <= 0.5 is exact; the error term can only matter when y is a half exactly.
    if y - z == 0.5 and err > 0.0:
        z += 1.0
    elif y - z == -0.5 and err < 0.0:
        z -= 1.0
    return z / 1e10


@njit_cached
def round_price_nb(raw: float, tick: float, up: bool) -> float:
    """``Instrument.round_price_up`` (buyer pays) or ``round_price_down`` (seller receives)."""
    ticks = math.ceil(raw / tick - 1e-9) if up else math.floor(raw / tick + 1e-9)
    return round10_nb(float(ticks) * tick)


@njit_cached
def round_quantity_nb(quantity: float, lot: float) -> float:
    """``Instrument.round_quantity``: down to the lot grid, never more than asked."""
    lots = math.floor(abs(quantity) / lot + 1e-9)
    if lots == 0:
        return 0.0
    value = round10_nb(float(lots) * lot)
    return value if quantity >= 0 else -value


@njit_cached
def fill_price_nb(
    ref: float, sign: float, half_spread: float, sigma: float, qty: float, volume: float,
    cost: FloatArray,
) -> float:  # fmt: skip
    """Price of a marketable fill: half spread plus slippage against the trader, on the tick."""
    slip = cost[C_FIXED_BPS] / 10_000.0
    if sigma > 0 and math.isfinite(sigma):
        slip += cost[C_VOL] * sigma
        if cost[C_IMPACT] != 0.0:
            participation = 1.0 if not volume > 0 else min(qty / volume, 1.0)
            slip += cost[C_IMPACT] * sigma * math.sqrt(participation)
    raw = ref * (1.0 + sign * (half_spread + slip))
    return round_price_nb(raw, cost[C_TICK], sign > 0)


@njit_cached
def commission_nb(qty: float, notional: float, cost: FloatArray) -> float:
    """Commission of an order filled at once: clamp(per share, min, max) + percent + fixed."""
    per_share = 0.0
    if cost[C_PER_SHARE] != 0.0 or cost[C_MIN] != 0.0:
        per_share = max(cost[C_PER_SHARE] * qty, cost[C_MIN])
    if cost[C_HAS_MAX] != 0.0:
        per_share = min(per_share, cost[C_MAX])
    total = per_share + notional * cost[C_PERCENT] / 100.0 + cost[C_FIXED_FEE]
    return round10_nb(total - 0.0)


@njit_cached
def book_nb(
    acct: FloatArray, fills_f: FloatArray, fills_i: IntArray, count: IntArray, status: IntArray,
    c: int, t: int, signed: float, ref: float, rule: int, code: int, seq: int,
    half_spread: float, sigma: float, volume: float, cost: FloatArray,
) -> float:  # fmt: skip
    """Fill a whole order at bar ``t``, book it and return its price; NaN when it cannot.

    An order whose quantity is not on the lot grid would fill in part and leave a remainder
    working, which only the event engine models: the parameter set is marked ``STATUS_LOT``.
    """
    qty = abs(signed)
    if round_quantity_nb(qty, cost[C_LOT]) != qty:
        status[c] = STATUS_LOT
        return np.nan
    sign = 1.0 if signed > 0 else -1.0
    # Market and stop orders are both takers: they pay the spread and slippage.
    price = fill_price_nb(ref, sign, half_spread, sigma, qty, volume, cost)
    commission = commission_nb(qty, qty * price, cost)
    sq = qty * sign
    # Portfolio.apply_fill: the strategy's view.
    old = acct[A_POS]
    new = old + sq
    if old != 0.0 and (old > 0) != (sq > 0) and abs(new) < 1e-9:
        new = 0.0
    acct[A_POS] = new
    acct[A_CASH] -= sq * price + commission
    acct[A_TURNOVER] += qty * price
    k = count[c]
    if k < fills_f.shape[1]:
        fills_f[c, k, F_QTY] = sq
        fills_f[c, k, F_PRICE] = price
        fills_f[c, k, F_REF] = ref
        fills_f[c, k, F_COMM] = commission
        fills_i[c, k, I_BAR] = t
        fills_i[c, k, I_SEQ] = seq
        fills_i[c, k, I_CODE] = code * 4 + rule
    elif status[c] == STATUS_OK:
        status[c] = STATUS_OVERFLOW  # keep counting: the caller reruns with room for all
    count[c] = k + 1
    return price


@njit_cached
def ledger_nb(
    close: FloatArray, bars: IntArray, signed: FloatArray, price: FloatArray,
    commission: FloatArray, cash0: float,
) -> tuple[FloatArray, int]:  # fmt: skip
    """Equity per bar from the fills, as ``build_ledger`` computes it, and the bars held.

    Cash is the starting cash plus the running sum of ``-signed x price - commission``; the
    position is the running sum of signed quantities, a residue under 1e-9 counting as flat.
    """
    n = close.shape[0]
    out = np.empty(n)
    flow = 0.0
    position = 0.0
    k = 0
    held = 0
    for t in range(n):
        while k < bars.shape[0] and bars[k] == t:
            flow += -signed[k] * price[k] - commission[k]
            position += signed[k]
            k += 1
        pos = position if abs(position) >= 1e-9 else 0.0
        out[t] = (cash0 + flow) + pos * close[t]
        if pos != 0.0:
            held += 1
    return out, held


@njit_cached
def portfolio_equity_nb(acct: FloatArray, close: float) -> float:
    """``Portfolio.equity()``: cash plus the market value of a non-zero position."""
    pos = float(acct[A_POS])
    cash = float(acct[A_CASH])
    if pos != 0.0:
        return cash + (0.0 + pos * close)
    return cash + 0.0
