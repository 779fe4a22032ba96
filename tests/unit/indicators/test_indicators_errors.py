"""Input validation: non-finite inputs, bad parameters, malformed arrays."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

import quantrail.indicators as ind
from quantrail.indicators import (
    ATR,
    EMA,
    MACD,
    OBV,
    RSI,
    SMA,
    Bollinger,
    PriceIndicator,
    RollingVolatility,
    ZScore,
)

nan = math.nan

FACTORIES: dict[str, Callable[[], PriceIndicator]] = {
    "SMA": lambda: SMA(5),
    "EMA": lambda: EMA(5),
    "RSI": lambda: RSI(5),
    "MACD": lambda: MACD(3, 6, 4),
    "Bollinger": lambda: Bollinger(5, 2.0),
    "ZScore": lambda: ZScore(5),
    "RollingVolatility": lambda: RollingVolatility(5, 252.0),
}
PRICES = [10.0, 11.0, 10.5, 12.0, 11.5, 13.0, 12.5, 12.0, 14.0, 13.5, 15.0, 14.0, 16.0, 15.5]


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("bad", [nan, math.inf, -math.inf])
def test_non_finite_input_raises_and_leaves_state(name: str, bad: float) -> None:
    indicator = FACTORIES[name]()
    clean = FACTORIES[name]()
    for x in PRICES[:8]:
        indicator.update(x)
        clean.update(x)
    with pytest.raises(ValueError, match=rf"^{name}\(.*\): input must be finite, got {bad!r}$"):
        indicator.update(bad)
    for x in PRICES[8:]:
        assert indicator.update(x) == clean.update(x)


@pytest.mark.parametrize("field", ["high", "low", "close"])
def test_atr_names_the_bad_field(field: str) -> None:
    atr = ATR(3)
    hlc = {"high": 2.0, "low": 1.0, "close": 1.5}
    hlc[field] = nan
    with pytest.raises(ValueError, match=rf"ATR\(period=3\): {field} must be finite, got nan"):
        atr.update_hlc(**hlc)
    assert not atr.ready
    assert math.isnan(atr._prev_close)


def test_obv_names_the_bad_field() -> None:
    with pytest.raises(ValueError, match=r"OBV\(\): volume must be finite, got inf"):
        OBV().update_cv(1.0, math.inf)
    with pytest.raises(ValueError, match=r"OBV\(\): close must be finite, got nan"):
        OBV().update_cv(nan, 1.0)


def test_rolling_volatility_rejects_zero_price() -> None:
    vol = RollingVolatility(3)
    vol.update(1.0)
    with pytest.raises(ValueError, match=r"RollingVolatility\(.*\): input must be non-zero"):
        vol.update(0.0)
    with pytest.raises(ValueError, match=r"rolling_volatility: x must be non-zero.*index 1"):
        ind.rolling_volatility([1.0, 0.0, 1.0], 2)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: SMA(0), r"SMA: period must be an integer >= 1, got 0"),
        (lambda: EMA(-3), r"EMA: period must be an integer >= 1, got -3"),
        (lambda: RSI(1), r"RSI: period must be an integer >= 2, got 1"),
        (lambda: ATR(0), r"ATR: period must be an integer >= 1, got 0"),
        (lambda: Bollinger(1), r"Bollinger: period must be an integer >= 2, got 1"),
        (lambda: ZScore(1), r"ZScore: period must be an integer >= 2, got 1"),
        (lambda: RollingVolatility(1), r"RollingVolatility: period must be an integer >= 2"),
        (lambda: SMA(2.5), r"SMA: period must be an integer >= 1, got 2.5"),  # type: ignore[arg-type]
        (lambda: SMA(True), r"SMA: period must be an integer >= 1, got True"),
        (lambda: MACD(0, 26, 9), r"MACD: fast must be an integer >= 1, got 0"),
        (lambda: MACD(12, 26, 0), r"MACD: signal must be an integer >= 1, got 0"),
        (lambda: MACD(26, 12, 9), r"MACD: fast must be < slow, got fast=26, slow=12"),
        (lambda: Bollinger(20, 0.0), r"Bollinger: k must be a finite number > 0, got 0.0"),
        (lambda: Bollinger(20, nan), r"Bollinger: k must be a finite number > 0, got nan"),
        (
            lambda: RollingVolatility(20, -252.0),
            r"RollingVolatility: annualization must be a finite number > 0, got -252.0",
        ),
    ],
)
def test_bad_parameters_raise(factory: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


def test_numpy_integer_period_is_accepted() -> None:
    assert SMA(np.int64(3)).period == 3  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ind.sma([1.0, nan, 3.0], 2), r"sma: x must be finite, got nan at index 1"),
        (lambda: ind.ema([1.0, 2.0], 0), r"ema: n must be an integer >= 1, got 0"),
        (lambda: ind.rsi([1.0, 2.0, 3.0], 1), r"rsi: n must be an integer >= 2, got 1"),
        (lambda: ind.macd([1.0] * 40, 26, 12, 9), r"macd: fast must be < slow"),
        (lambda: ind.obv([1.0, 2.0], [1.0]), r"obv: inputs must have equal lengths"),
        (lambda: ind.atr([1.0], [1.0], [math.inf], 3), r"atr: close must be finite, got inf"),
        (lambda: ind.bollinger([[1.0, 2.0]], 2), r"bollinger: x must be one-dimensional"),
        (lambda: ind.bollinger([1.0, 2.0], 2, -1.0), r"bollinger: k must be a finite number"),
        (lambda: ind.zscore([1.0, 2.0], 0), r"zscore: n must be an integer >= 2, got 0"),
    ],
)
def test_vectorized_bad_input_raises(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("length", [0, 1, 3])
def test_vectorized_short_inputs_are_all_nan(length: int) -> None:
    x = np.arange(1.0, length + 1.0)
    for out in (
        ind.sma(x, 5),
        ind.ema(x, 5),
        ind.rsi(x, 5),
        *ind.macd(x, 2, 5, 3),
        ind.atr(x, x, x, 5),
        *ind.bollinger(x, 5),
        ind.zscore(x, 5),
        ind.rolling_volatility(x, 5),
    ):
        assert out.dtype == np.float64
        assert out.shape == (length,)
        assert np.isnan(out).all()
    assert ind.obv(x, x).shape == (length,)
