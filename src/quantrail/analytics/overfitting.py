"""Statistics that ask whether a backtest's edge is real or the product of search.

- Probabilistic Sharpe ratio (Bailey & López de Prado 2012): the probability that the true
  Sharpe ratio exceeds a benchmark, given the track length and the returns' skew and kurtosis.
- Deflated Sharpe ratio (Bailey & López de Prado 2014): the PSR against the Sharpe ratio the
  best of N worthless trials is expected to reach.
- Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey,
  Borwein, López de Prado & Zhu 2015).

Pure NumPy; the normal distribution comes from :class:`statistics.NormalDist` (the standard
library), so no SciPy is needed. Every Sharpe ratio here is **per period** (not annualised):
``mean(r) / std(r)`` with ``ddof=1``, the definition of ``compute_metrics`` before its
``sqrt(periods_per_year)`` factor. Formulas: docs/evaluation.md.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = [
    "EULER_GAMMA",
    "PBOResult",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "per_period_sharpe",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
]

FloatArray = npt.NDArray[np.float64]

EULER_GAMMA = 0.5772156649015329
"""The Euler-Mascheroni constant, used by the expected maximum of N normal draws."""

_NORMAL = NormalDist()
# Same threshold as compute_metrics: a dispersion below this is rounding noise, not risk.
_EPS = 1e-12
_MAX_COMBINATIONS = 1_000_000


def probabilistic_sharpe_ratio(
    sharpe: float,
    n_obs: int,
    *,
    skew: float = 0.0,
    kurtosis: float = 3.0,
    benchmark: float = 0.0,
) -> float:
    """Probability that the true per-period Sharpe ratio exceeds ``benchmark``.

    ``PSR = Φ( (SR − SR*) √(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4 · SR²) )``.

    Parameters
    ----------
    sharpe
        Observed per-period Sharpe ratio ``SR`` (divide an annualised one by
        ``sqrt(periods_per_year)``).
    n_obs
        Number of returns ``n`` the Sharpe ratio was measured on (>= 2).
    skew
        Skewness ``γ3`` of those returns.
    kurtosis
        **Non-excess** kurtosis ``γ4`` (3 for normal returns). ``compute_metrics`` reports
        excess kurtosis: add 3.
    benchmark
        The per-period Sharpe ratio ``SR*`` to beat.

    Returns
    -------
    float
        A probability in ``[0, 1]``.

    Raises
    ------
    ValueError
        If ``n_obs < 2``, an input is not finite, or the moments are inconsistent (the variance
        term ``1 − γ3·SR + (γ4 − 1)/4 · SR²`` is not positive, impossible for a real
        distribution since ``γ4 >= 1 + γ3²``).
    """
    if n_obs < 2:
        raise ValueError(f"n_obs must be >= 2, got {n_obs}")
    for name, value in (("sharpe", sharpe), ("skew", skew), ("kurtosis", kurtosis)):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
    if not math.isfinite(benchmark):
        raise ValueError(f"benchmark must be finite, got {benchmark}")
    spread = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if spread <= 0.0:
        raise ValueError(
            f"inconsistent moments: 1 - skew*SR + (kurtosis-1)/4*SR^2 = {spread} <= 0 "
            "(is kurtosis the non-excess one?)"
        )
    z = (sharpe - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(spread)
    return _NORMAL.cdf(z)


def expected_max_sharpe(n_trials: int, variance: float, mean: float = 0.0) -> float:
    """Expected maximum of ``n_trials`` Sharpe ratios drawn from ``N(mean, variance)``.

    ``SR0 = mean + √V · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)))``, γ the Euler-Mascheroni
    constant. With one trial there is no selection, so ``SR0 = mean``.

    Parameters
    ----------
    n_trials
        Number of independent trials ``N`` (>= 1).
    variance
        Variance ``V`` of the per-period Sharpe ratios across the trials (>= 0).
    mean
        Their mean under the null hypothesis (0: no skill).
    """
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    if not (math.isfinite(variance) and variance >= 0.0):
        raise ValueError(f"variance must be finite and >= 0, got {variance}")
    if n_trials == 1:
        return mean
    n = float(n_trials)
    z_max = (1.0 - EULER_GAMMA) * _NORMAL.inv_cdf(1.0 - 1.0 / n) + EULER_GAMMA * _NORMAL.inv_cdf(
        1.0 - 1.0 / (n * math.e)
    )
    return mean + math.sqrt(variance) * z_max


def deflated_sharpe_ratio(
    sharpe: float,
    n_obs: int,
    *,
    n_trials: int,
    trials_variance: float,
    skew: float = 0.0,
    kurtosis: float = 3.0,
) -> float:
    """PSR of the selected strategy against the expected best of ``n_trials`` null trials.

    ``DSR = PSR(SR0)`` with ``SR0 = expected_max_sharpe(n_trials, trials_variance)``.

    Parameters
    ----------
    sharpe, n_obs, skew, kurtosis
        As in :func:`probabilistic_sharpe_ratio`, for the selected trial (per period,
        non-excess kurtosis).
    n_trials
        How many configurations were tried before this one was picked.
    trials_variance
        Variance of the per-period Sharpe ratios of all trials.

    Returns
    -------
    float
        A probability in ``[0, 1]``; below 0.95 the edge is not significant at 5 % once the
        search is accounted for.
    """
    benchmark = expected_max_sharpe(n_trials, trials_variance)
    return probabilistic_sharpe_ratio(
        sharpe, n_obs, skew=skew, kurtosis=kurtosis, benchmark=benchmark
    )


def per_period_sharpe(returns: npt.ArrayLike) -> FloatArray:
    """Per-period Sharpe ratio of each column: ``mean / std (ddof=1)``; 0 where std <= 1e-12.

    The definition of ``compute_metrics``' Sharpe without annualisation. A column that never
    moves (a trial that never traded) scores 0, so it ranks as "no edge" rather than failing.
    """
    matrix = _matrix(returns)
    mean = matrix.mean(axis=0)
    std = matrix.std(axis=0, ddof=1)
    safe = np.where(std > _EPS, std, 1.0)
    return np.where(std > _EPS, mean / safe, 0.0)


@dataclass(frozen=True)
class PBOResult:
    """Outcome of :func:`probability_of_backtest_overfitting`.

    Attributes
    ----------
    pbo : float
        Share of the combinations whose in-sample best trial ranks at or below the
        out-of-sample median (logit <= 0).
    logits : ndarray
        ``λ_c = ln(ω_c / (1 − ω_c))`` per combination, ``ω_c`` the relative OOS rank.
    is_best : ndarray
        The in-sample per-period Sharpe ratio of the selected trial, per combination.
    oos_best : ndarray
        Its out-of-sample per-period Sharpe ratio, per combination.
    prob_oos_loss : float
        Share of combinations where the selected trial's OOS Sharpe ratio is negative.
    n_blocks, n_combinations, n_trials : int
        ``S``, ``C(S, S/2)`` and ``N``.
    """

    pbo: float
    logits: FloatArray
    is_best: FloatArray
    oos_best: FloatArray
    prob_oos_loss: float
    n_blocks: int
    n_combinations: int
    n_trials: int


def probability_of_backtest_overfitting(returns: npt.ArrayLike, n_blocks: int = 16) -> PBOResult:
    """Probability of backtest overfitting by combinatorially symmetric cross-validation.

    The ``T x N`` matrix of trial returns (one column per configuration tried, rows aligned in
    time) is split into ``S = n_blocks`` contiguous blocks of rows (sizes differ by at most
    one). For each of the ``C(S, S/2)`` ways to pick half of the blocks as the training set
    (the rest is the test set), the trial with the best in-sample per-period Sharpe ratio is
    selected, and its out-of-sample Sharpe ratio is ranked among all trials' (average rank for
    ties, 1 = worst). With ``ω = rank / (N + 1)``, the logit is ``λ = ln(ω / (1 − ω))``, and
    ``PBO`` is the share of logits ``<= 0``.

    Parameters
    ----------
    returns
        ``T x N`` per-period returns, ``N >= 2`` trials, finite.
    n_blocks
        ``S``: even, >= 2, with at least two rows per block.

    Raises
    ------
    ValueError
        On a bad shape, non-finite values, an odd or too large ``n_blocks``, or more than a
        million combinations.
    """
    matrix = _matrix(returns)
    t, n = matrix.shape
    if n < 2:
        raise ValueError(f"need at least 2 trials (columns), got {n}")
    if n_blocks < 2 or n_blocks % 2:
        raise ValueError(f"n_blocks must be even and >= 2, got {n_blocks}")
    if t < 2 * n_blocks:
        raise ValueError(f"{t} rows cannot make {n_blocks} blocks of at least 2 rows each")
    if math.comb(n_blocks, n_blocks // 2) > _MAX_COMBINATIONS:
        raise ValueError(f"n_blocks={n_blocks} gives too many combinations; use at most 20")

    # Per block sums, so any union of blocks gets its mean and variance without re-reading rows.
    blocks = np.array_split(np.arange(t), n_blocks)
    sums = np.stack([matrix[b].sum(axis=0) for b in blocks])
    squares = np.stack([(matrix[b] ** 2).sum(axis=0) for b in blocks])
    counts = np.array([len(b) for b in blocks], dtype=np.float64)
    combos = list(itertools.combinations(range(n_blocks), n_blocks // 2))
    train = np.zeros((len(combos), n_blocks))
    for row, combo in enumerate(combos):
        train[row, list(combo)] = 1.0
    test = 1.0 - train
    is_sharpe = _sharpe_from_sums(train @ sums, train @ squares, train @ counts)
    oos_sharpe = _sharpe_from_sums(test @ sums, test @ squares, test @ counts)

    rows = np.arange(len(combos))
    best = np.argmax(is_sharpe, axis=1)  # first on ties: deterministic
    chosen = oos_sharpe[rows, best]
    below = (oos_sharpe < chosen[:, None]).sum(axis=1)
    equal = (oos_sharpe == chosen[:, None]).sum(axis=1)
    rank = below + (equal + 1) / 2.0  # average rank among ties, 1 = worst
    omega = rank / (n + 1.0)
    logits = np.log(omega / (1.0 - omega))
    return PBOResult(
        pbo=float(np.mean(logits <= 0.0)),
        logits=logits,
        is_best=is_sharpe[rows, best],
        oos_best=chosen,
        prob_oos_loss=float(np.mean(chosen < 0.0)),
        n_blocks=n_blocks,
        n_combinations=len(combos),
        n_trials=n,
    )


def _sharpe_from_sums(total: FloatArray, squares: FloatArray, count: FloatArray) -> FloatArray:
    n = count[:, None]
    mean = total / n
    # Clipped: the one-pass variance can dip a hair below zero for a constant column.
    variance = np.maximum((squares - n * mean**2) / (n - 1.0), 0.0)
    std = np.sqrt(variance)
    safe = np.where(std > _EPS, std, 1.0)
    result: FloatArray = np.where(std > _EPS, mean / safe, 0.0)
    return result


def _matrix(returns: npt.ArrayLike) -> FloatArray:
    matrix = np.asarray(returns, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2:
        raise ValueError(f"returns must be 1-D or 2-D (T x N), got {matrix.ndim} dimensions")
    if matrix.shape[0] < 2:
        raise ValueError(f"need at least 2 returns per trial, got {matrix.shape[0]}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("returns must be finite (no NaN or inf)")
    return matrix
