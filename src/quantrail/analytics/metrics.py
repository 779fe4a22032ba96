"""Performance metrics of an equity curve and its trades. Formulas: docs/metrics.md."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from quantrail.analytics._validate import checked_equity
from quantrail.core.time import NANOS_PER_DAY

__all__ = ["METRIC_KEYS", "compute_metrics", "drawdown_series", "monthly_returns"]

MetricValue = float | int | None
FloatArray = npt.NDArray[np.float64]

_DAYS_PER_YEAR = 365.25
# Returns are dimensionless; a dispersion below this is floating-point noise (e.g. a curve that
# compounds at a constant rate), and dividing by it would report a meaningless 1e15 Sharpe.
_EPS = 1e-12
_VAR_LEVEL = 0.05
# Output order: returns, risk, drawdown, trading, distribution, bookkeeping (the report's order).
METRIC_KEYS = (
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_duration",
    "max_drawdown_duration_days",
    "num_trades",
    "win_rate",
    "profit_factor",
    "expectancy",
    "avg_win",
    "avg_loss",
    "exposure",
    "turnover",
    "var_95",
    "cvar_95",
    "best_period",
    "worst_period",
    "skew",
    "kurtosis",
    "start_equity",
    "end_equity",
    "num_periods",
    "years",
)


def compute_metrics(
    equity: pd.Series,
    *,
    periods_per_year: float,
    trades: pd.DataFrame,
    turnover_notional: float,
    exposure: float | None = None,
) -> dict[str, MetricValue]:
    """Compute performance metrics of one run.

    Parameters
    ----------
    equity
        Account equity, one value per period, indexed by increasing UTC timestamps. The first
        value is the starting equity before any return. Must be finite and strictly positive.
    periods_per_year
        Annualisation factor (see :func:`quantrail.analytics.periods_per_year`).
    trades
        Round trips (see :func:`quantrail.analytics.round_trips`); only the ``pnl`` column is
        read. May be empty.
    turnover_notional
        Total traded notional over the run (sum of ``|quantity| * price`` of every fill).
    exposure
        Fraction of periods with a non-zero position, computed by the caller who knows the
        positions; passed through (``None`` when unknown).

    Returns
    -------
    dict
        Metric name to a Python ``float``, ``int`` or ``None``. Never NaN or inf, so the result
        passes ``json.dumps(..., allow_nan=False)``. Undefined metrics are ``None``.

    Raises
    ------
    ValueError
        If the equity is empty, unsorted, NaN, infinite or not strictly positive, or if an
        argument is out of range.
    """
    eq = checked_equity(equity)
    if not (math.isfinite(periods_per_year) and periods_per_year > 0):
        raise ValueError(f"periods_per_year must be positive and finite, got {periods_per_year}")
    if not (math.isfinite(turnover_notional) and turnover_notional >= 0):
        raise ValueError(f"turnover_notional must be finite and >= 0, got {turnover_notional}")
    if exposure is not None and not (math.isfinite(exposure) and 0.0 <= exposure <= 1.0):
        raise ValueError(f"exposure must be a fraction in [0, 1] or None, got {exposure}")

    values = eq.to_numpy(dtype=np.float64)
    # pandas 3 may infer microsecond resolution; durations below assume nanoseconds.
    stamps = pd.DatetimeIndex(eq.index).as_unit("ns").asi8
    years = (int(stamps[-1]) - int(stamps[0])) / NANOS_PER_DAY / _DAYS_PER_YEAR
    returns = values[1:] / values[:-1] - 1.0

    total_return = values[-1] / values[0] - 1.0
    cagr = _cagr(values[-1] / values[0], years)
    max_dd = float(_drawdown(values).min())
    dd_periods, dd_days = _drawdown_durations(values, stamps)

    out: dict[str, MetricValue] = {
        "start_equity": float(values[0]),
        "end_equity": float(values[-1]),
        "num_periods": len(returns),
        "years": years,
        "total_return": total_return,
        "cagr": cagr,
    }
    out.update(_return_stats(returns, periods_per_year))
    out.update(
        {
            "calmar": cagr / abs(max_dd) if cagr is not None and max_dd < 0 else None,
            "max_drawdown": max_dd,
            "max_drawdown_duration": dd_periods,
            "max_drawdown_duration_days": dd_days,
            "exposure": exposure,
            "turnover": turnover_notional / float(values.mean()) / years if years > 0 else None,
        }
    )
    out.update(_trade_stats(trades))
    return {key: _json_safe(out[key]) for key in METRIC_KEYS}


def drawdown_series(equity: pd.Series) -> pd.Series:
    """Return the drawdown of ``equity`` from its running peak at every timestamp.

    Parameters
    ----------
    equity
        Strictly positive equity indexed by increasing timestamps.

    Returns
    -------
    pandas.Series
        ``equity / running_max(equity) - 1``, in ``[-1, 0]`` (0 at a new high), named
        ``"drawdown"``, on the same index.
    """
    eq = checked_equity(equity)
    return pd.Series(_drawdown(eq.to_numpy(dtype=np.float64)), index=eq.index, name="drawdown")


def monthly_returns(equity: pd.Series) -> pd.DataFrame:
    """Return a year x month table of compounded returns.

    Parameters
    ----------
    equity
        Strictly positive equity indexed by increasing timestamps (naive timestamps are read
        as UTC; aware ones are converted to UTC before bucketing by month).

    Returns
    -------
    pandas.DataFrame
        Index ``year`` (int), columns ``month`` 1..12. Each cell is the last equity of that
        month over the last equity of the previous month with data (the starting equity for
        the first month), minus one. Months without data are NaN.
    """
    eq = checked_equity(equity)
    index = pd.DatetimeIndex(eq.index)
    if index.tz is not None:
        index = index.tz_convert("UTC")
    month_end = eq.groupby([index.year.to_numpy(), index.month.to_numpy()]).last()
    base = month_end.shift(1).fillna(float(eq.iloc[0]))
    table = (month_end / base - 1.0).unstack()
    table = table.reindex(columns=list(range(1, 13))).astype(np.float64)
    table.index.name = "year"
    table.columns.name = "month"
    return table


def _drawdown(values: FloatArray) -> FloatArray:
    peak = np.maximum.accumulate(values)
    # value <= peak, so the ratio is <= 1 exactly in IEEE arithmetic; the clip only guards
    # against a caller bypassing validation with non-positive values.
    return np.clip(values / peak - 1.0, -1.0, 0.0)


def _drawdown_durations(values: FloatArray, stamps: npt.NDArray[np.int64]) -> tuple[int, float]:
    """Longest peak-to-recovery stretch, in periods and (separately) in calendar days."""
    underwater = values < np.maximum.accumulate(values)
    if not underwater.any():
        return 0, 0.0
    edges = np.diff(np.concatenate(([0], underwater.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)  # first underwater index of each run
    ends = np.flatnonzero(edges == -1) - 1  # last underwater index of each run
    # The value just before a run is its peak (it was not underwater, so it equals the running
    # max); the run ends at the recovery bar, or at the last bar when it never recovers.
    peaks = starts - 1
    recoveries = np.minimum(ends + 1, len(values) - 1)
    periods = int((recoveries - peaks).max())
    days = float(((stamps[recoveries] - stamps[peaks]) / NANOS_PER_DAY).max())
    return periods, days


def _cagr(ratio: float, years: float) -> float | None:
    if years <= 0:
        return None
    try:
        # expm1(log(x)/y) is (x ** (1/y)) - 1 without cancellation for small growth, and
        # raises OverflowError (rather than warning) for absurd rates over tiny spans.
        return math.expm1(math.log(ratio) / years)
    except OverflowError:
        return None


def _return_stats(returns: FloatArray, ppy: float) -> dict[str, MetricValue]:
    n = len(returns)
    stats: dict[str, MetricValue] = dict.fromkeys(
        (
            "annual_volatility",
            "sharpe",
            "sortino",
            "var_95",
            "cvar_95",
            "best_period",
            "worst_period",
            "skew",
            "kurtosis",
        )
    )
    if n == 0:
        return stats
    mean = float(returns.mean())
    annualiser = math.sqrt(ppy)
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    if downside > _EPS:
        stats["sortino"] = mean / downside * annualiser
    var = float(np.quantile(returns, _VAR_LEVEL))
    stats["var_95"] = var
    stats["cvar_95"] = float(returns[returns <= var].mean())
    stats["best_period"] = float(returns.max())
    stats["worst_period"] = float(returns.min())
    if n < 2:
        return stats
    std = float(returns.std(ddof=1))
    stats["annual_volatility"] = std * annualiser
    if std > _EPS:
        stats["sharpe"] = mean / std * annualiser
        stats["skew"], stats["kurtosis"] = _skew_kurtosis(returns)
    return stats


def _skew_kurtosis(returns: FloatArray) -> tuple[float | None, float | None]:
    """Bias-corrected sample skewness (G1) and excess kurtosis (G2), as pandas computes them."""
    n = len(returns)
    dev = returns - returns.mean()
    m2 = float(np.mean(dev**2))
    m3 = float(np.mean(dev**3))
    m4 = float(np.mean(dev**4))
    skew = None
    kurt = None
    if n >= 3:
        skew = m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)
    if n >= 4:
        g2 = m4 / m2**2 - 3.0
        kurt = ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3))
    return skew, kurt


def _trade_stats(trades: pd.DataFrame) -> dict[str, MetricValue]:
    if not isinstance(trades, pd.DataFrame):
        raise ValueError(f"trades must be a pandas DataFrame, got {type(trades).__name__}")
    stats: dict[str, MetricValue] = {
        "num_trades": len(trades),
        "win_rate": None,
        "profit_factor": None,
        "expectancy": None,
        "avg_win": None,
        "avg_loss": None,
    }
    if len(trades) == 0:
        return stats
    if "pnl" not in trades.columns:
        raise ValueError("trades must have a 'pnl' column (see round_trips)")
    pnl = trades["pnl"].to_numpy(dtype=np.float64)
    if not np.isfinite(pnl).all():
        raise ValueError("trades.pnl contains NaN or infinite values")
    wins = pnl[pnl > 0]
    losses = pnl[pnl < 0]
    stats["win_rate"] = len(wins) / len(pnl)
    stats["expectancy"] = float(pnl.mean())
    if len(wins):
        stats["avg_win"] = float(wins.mean())
    if len(losses):
        stats["avg_loss"] = float(losses.mean())
        stats["profit_factor"] = float(wins.sum()) / abs(float(losses.sum()))
    return stats


def _json_safe(value: MetricValue) -> MetricValue:
    if value is None:
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    number = float(value)
    return number if math.isfinite(number) else None
