"""Shared fixtures for the indicator tests.

Agreement tolerance used throughout: ``|actual - expected| <= 1e-9 + 1e-9 * |expected|``
(absolute 1e-9 near zero, relative 1e-9 for larger magnitudes), with NaN positions required
to be identical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from quantrail.indicators import ATR, OBV, Indicator

Array = npt.NDArray[np.float64]
SPY_CSV = Path(__file__).resolve().parents[3] / "data" / "equity_daily_SPY.csv"
TOL = 1e-9


def assert_agree(actual: Array, expected: Array, *, label: str = "") -> None:
    """Identical NaN positions, and values within the tolerance stated in the module doc."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, label
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=label)
    np.testing.assert_allclose(actual, expected, rtol=TOL, atol=TOL, equal_nan=True, err_msg=label)


def feed(ind: Indicator, *columns: Sequence[float], attrs: Sequence[str] = ("value",)) -> Array:
    """Run ``ind`` over ``columns`` row by row; return one array per attribute in ``attrs``.

    Also checks on every row that ``update*`` returned exactly ``ind.value``.
    """
    if isinstance(ind, ATR):
        update: Callable[..., float] = ind.update_hlc
    elif isinstance(ind, OBV):
        update = ind.update_cv
    else:
        update = ind.update  # type: ignore[attr-defined]
    length = len(columns[0])
    outs = np.empty((len(attrs), length))
    for i, row in enumerate(zip(*columns, strict=True)):
        returned = update(*row)
        assert returned == ind.value or (returned != returned and ind.value != ind.value)
        for j, name in enumerate(attrs):
            outs[j, i] = getattr(ind, name)
    return outs[0] if len(attrs) == 1 else outs


@pytest.fixture(scope="session")
def spy() -> pd.DataFrame:
    """SPY daily bars, columns timestamp, open, high, low, close, volume (float64 prices)."""
    df = pd.read_csv(SPY_CSV)
    for col in ("open", "high", "low", "close", "volume"):
        df[col] = df[col].astype(np.float64)
    return df


@pytest.fixture(scope="session")
def agree() -> Callable[..., None]:
    """The ``assert_agree`` helper."""
    return assert_agree


@pytest.fixture(scope="session")
def run() -> Callable[..., Array]:
    """The ``feed`` helper."""
    return feed
