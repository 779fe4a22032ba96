"""Monte Carlo resampling of trade P&L, and how much of the profit a few trades carry.

A backtest is one ordering of its trades. Reordering them (``shuffle``) keeps the final P&L
and shows how deep the drawdown could have been; resampling them with replacement
(``bootstrap``) also varies the final P&L. Both are seeded, so a report is reproducible.
Formulas: docs/evaluation.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["TradeMonteCarlo", "top_trades_profit_share", "trade_monte_carlo"]

FloatArray = npt.NDArray[np.float64]
Method = Literal["bootstrap", "shuffle"]


@dataclass(frozen=True)
class TradeMonteCarlo:
    """Distribution of outcomes over resampled trade sequences.

    Attributes
    ----------
    method : {"bootstrap", "shuffle"}
    final_pnl : ndarray
        Sum of the resampled P&L per simulation (account currency).
    max_drawdown : ndarray
        Per simulation, the largest fall from a running peak of ``start_equity + cumulative
        P&L``, as a fraction of that peak in ``[-1, 0]``; -1 once equity reaches zero.
    max_drawdown_money : ndarray
        The same fall in account currency (<= 0).
    ruined : ndarray of bool
        Whether the simulated equity reached zero or below.
    observed_final_pnl, observed_max_drawdown : float
        The same figures for the trades in their real order.
    """

    method: Method
    final_pnl: FloatArray
    max_drawdown: FloatArray
    max_drawdown_money: FloatArray
    ruined: npt.NDArray[np.bool_]
    observed_final_pnl: float
    observed_max_drawdown: float

    def summary(self) -> dict[str, float]:
        """5th, 50th and 95th percentiles, the ruin share and the observed values."""
        out: dict[str, float] = {
            "simulations": float(len(self.final_pnl)),
            "observed_final_pnl": self.observed_final_pnl,
            "observed_max_drawdown": self.observed_max_drawdown,
            "ruin_probability": float(self.ruined.mean()) if len(self.ruined) else 0.0,
        }
        for q in (5, 50, 95):
            out[f"final_pnl_p{q}"] = float(np.percentile(self.final_pnl, q))
            # The 5th percentile of drawdown is the deep tail (drawdowns are negative).
            out[f"max_drawdown_p{q}"] = float(np.percentile(self.max_drawdown, q))
        return out


def trade_monte_carlo(
    pnl: npt.ArrayLike,
    *,
    start_equity: float,
    n_sims: int = 1000,
    method: Method = "bootstrap",
    seed: int = 0,
) -> TradeMonteCarlo:
    """Resample trade P&L into ``n_sims`` equity paths and measure each.

    Parameters
    ----------
    pnl
        Net P&L per trade, in the order the trades happened (at least one, finite).
    start_equity
        Equity before the first trade (> 0); drawdowns are fractions of running peaks.
    n_sims
        Number of simulated sequences (>= 1).
    method
        ``"shuffle"``: random permutations (final P&L fixed, path varies). ``"bootstrap"``:
        ``len(pnl)`` draws with replacement.
    seed
        Seed of ``numpy.random.default_rng``.
    """
    values = np.asarray(pnl, dtype=np.float64).ravel()
    if len(values) == 0:
        raise ValueError("need at least one trade")
    if not np.all(np.isfinite(values)):
        raise ValueError("trade P&L must be finite")
    if not (math.isfinite(start_equity) and start_equity > 0):
        raise ValueError(f"start_equity must be positive and finite, got {start_equity}")
    if n_sims < 1:
        raise ValueError(f"n_sims must be >= 1, got {n_sims}")
    rng = np.random.default_rng(seed)
    if method == "shuffle":
        paths = rng.permuted(np.tile(values, (n_sims, 1)), axis=1)
    elif method == "bootstrap":
        paths = values[rng.integers(0, len(values), size=(n_sims, len(values)))]
    else:
        raise ValueError(f"method must be 'bootstrap' or 'shuffle', got {method!r}")
    dd, dd_money, ruined = _drawdowns(paths, start_equity)
    obs_dd, _, _ = _drawdowns(values[None, :], start_equity)
    return TradeMonteCarlo(
        method=method,
        final_pnl=paths.sum(axis=1),
        max_drawdown=dd,
        max_drawdown_money=dd_money,
        ruined=ruined,
        observed_final_pnl=float(values.sum()),
        observed_max_drawdown=float(obs_dd[0]),
    )


def top_trades_profit_share(pnl: npt.ArrayLike, fraction: float = 0.1) -> float | None:
    """Share of the net profit made by the best ``fraction`` of trades.

    ``Σ (largest ⌈fraction · n⌉ P&L) / Σ P&L``. Above 1 the other trades lose money together: the
    edge rests on a few outliers. ``None`` when there are no trades or the net P&L is not
    positive (there is no profit to share).
    """
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    values = np.asarray(pnl, dtype=np.float64).ravel()
    if not np.all(np.isfinite(values)):
        raise ValueError("trade P&L must be finite")
    total = float(values.sum())
    if len(values) == 0 or total <= 0.0:
        return None
    k = math.ceil(fraction * len(values))
    top = np.sort(values)[-k:]
    return float(top.sum()) / total


def _drawdowns(
    paths: FloatArray, start_equity: float
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    start = np.full((paths.shape[0], 1), start_equity)
    equity = np.concatenate([start, start_equity + np.cumsum(paths, axis=1)], axis=1)
    peak = np.maximum.accumulate(equity, axis=1)  # >= start_equity > 0, so safe to divide
    ruined: npt.NDArray[np.bool_] = np.asarray((equity <= 0.0).any(axis=1), dtype=np.bool_)
    fraction = np.maximum(equity / peak - 1.0, -1.0).min(axis=1)
    money: FloatArray = np.asarray((equity - peak).min(axis=1), dtype=np.float64)
    drawdown: FloatArray = np.where(ruined, -1.0, fraction).astype(np.float64)
    return drawdown, money, ruined
