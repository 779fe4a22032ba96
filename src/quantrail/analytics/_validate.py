"""Input checks shared by the analytics functions (private)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["checked_equity"]


def checked_equity(equity: pd.Series) -> pd.Series:
    """Return ``equity`` as a float Series on a sorted, unique DatetimeIndex, or raise ValueError.

    Every value must be finite and strictly positive: per-period returns divide by the previous
    value, CAGR takes a root of the end/start ratio, and drawdowns are measured relative to a
    positive peak, so a zero or negative equity makes those numbers undefined (a wiped-out
    account should be reported as such by the caller, not averaged into a Sharpe ratio).
    """
    if not isinstance(equity, pd.Series):
        raise ValueError(f"equity must be a pandas Series, got {type(equity).__name__}")
    if len(equity) == 0:
        raise ValueError("equity is empty: need at least the starting equity")
    if not isinstance(equity.index, pd.DatetimeIndex):
        raise ValueError(
            "equity must be indexed by timestamps (DatetimeIndex), "
            f"got {type(equity.index).__name__}"
        )
    if not equity.index.is_unique or not equity.index.is_monotonic_increasing:
        raise ValueError(
            "equity index must be strictly increasing timestamps (sorted, no duplicates)"
        )
    try:
        values = equity.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"equity values must be numeric: {exc}") from exc
    if np.isnan(values).any():
        first = equity.index[int(np.flatnonzero(np.isnan(values))[0])]
        raise ValueError(f"equity contains NaN (first at {first}); fill or drop it before analysis")
    if not np.isfinite(values).all():
        raise ValueError("equity contains infinite values")
    if (values <= 0).any():
        first_bad = int(np.flatnonzero(values <= 0)[0])
        raise ValueError(
            f"equity must be strictly positive, got {values[first_bad]} at "
            f"{equity.index[first_bad]}: returns divide by the previous equity and drawdowns by "
            "the peak, so zero or negative equity (a blown account) makes them undefined"
        )
    return pd.Series(values, index=equity.index, name=equity.name)
