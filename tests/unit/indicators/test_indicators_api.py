"""Public surface: exports, hand-computed values, warm-up, reset, and input validation."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

import quantrail.indicators as ind
from quantrail.core.bar import Bar
from quantrail.indicators import (
    ATR,
    EMA,
    MACD,
    OBV,
    RSI,
    SMA,
    Bollinger,
    Indicator,
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
EXPECTED_WARMUP = {
    "SMA": 4,
    "EMA": 4,
    "RSI": 5,
    "MACD": 6 + 4 - 2,
    "Bollinger": 4,
    "ZScore": 4,
    "RollingVolatility": 5,
}
PRICES = [10.0, 11.0, 10.5, 12.0, 11.5, 13.0, 12.5, 12.0, 14.0, 13.5, 15.0, 14.0, 16.0, 15.5]


def test_all_lists_every_public_name() -> None:
    assert ind.__all__ == [
        "ATR",
        "EMA",
        "MACD",
        "OBV",
        "RSI",
        "SMA",
        "Bollinger",
        "Indicator",
        "PriceIndicator",
        "RollingVolatility",
        "ZScore",
        "atr",
        "bollinger",
        "ema",
        "macd",
        "obv",
        "rolling_volatility",
        "rsi",
        "sma",
        "zscore",
    ]
    for name in ind.__all__:
        assert getattr(ind, name) is not None


# --- hand-computed cases ----------------------------------------------------------------


def test_sma_small_case() -> None:
    sma = SMA(3)
    out = [sma.update(x) for x in (1.0, 2.0, 3.0, 4.0)]
    np.testing.assert_array_equal(out, [nan, nan, 2.0, 3.0])
    np.testing.assert_array_equal(ind.sma([1.0, 2.0, 3.0, 4.0], 3), [nan, nan, 2.0, 3.0])


def test_ema_small_case() -> None:
    # alpha = 2/4 = 0.5, seeded with mean(1, 2, 3) = 2; then 2 + 0.5 * (6 - 2) = 4.
    ema = EMA(3)
    out = [ema.update(x) for x in (1.0, 2.0, 3.0, 6.0)]
    np.testing.assert_array_equal(out, [nan, nan, 2.0, 4.0])
    np.testing.assert_array_equal(ind.ema([1.0, 2.0, 3.0, 6.0], 3), [nan, nan, 2.0, 4.0])


def test_rsi_small_case() -> None:
    # changes +1, -1 -> gain 0.5, loss 0.5 -> 50; then +2: gain (0.5 + 2)/2, loss 0.5/2 -> 83.3
    rsi = RSI(2)
    out = [rsi.update(x) for x in (1.0, 2.0, 1.0, 3.0)]
    np.testing.assert_allclose(out, [nan, nan, 50.0, 100.0 * 1.25 / 1.5], equal_nan=True)


def test_rsi_flat_start_is_zero_like_talib() -> None:
    rsi = RSI(3)
    assert [rsi.update(5.0) for _ in range(5)][3:] == [0.0, 0.0]


def test_obv_small_case() -> None:
    obv = OBV()
    closes = (10.0, 11.0, 11.0, 10.5, 12.0)
    volumes = (100.0, 50.0, 30.0, 20.0, 10.0)
    out = [obv.update_cv(c, v) for c, v in zip(closes, volumes, strict=True)]
    assert out == [100.0, 150.0, 150.0, 130.0, 140.0]
    assert ind.obv(closes, volumes).tolist() == out


def test_atr_small_case() -> None:
    atr = ATR(2)
    bars = [(10.0, 9.0, 9.5), (10.5, 9.5, 10.0), (12.0, 10.0, 11.0), (11.5, 10.5, 11.0)]
    # TR: -, max(1, 1, 0) = 1, max(2, 2, 0) = 2, max(1, 0.5, 0.5) = 1
    # ATR: seed (1 + 2) / 2 = 1.5; then (1.5 * 1 + 1) / 2 = 1.25
    out = [atr.update_hlc(*b) for b in bars]
    np.testing.assert_array_equal(out, [nan, nan, 1.5, 1.25])


def test_bollinger_small_case() -> None:
    bb = Bollinger(3, 2.0)
    for x in (1.0, 2.0, 3.0):
        bb.update(x)
    sd = math.sqrt(2.0 / 3.0)
    assert bb.middle == bb.value == 2.0
    assert bb.upper == pytest.approx(2.0 + 2.0 * sd, abs=1e-15)
    assert bb.lower == pytest.approx(2.0 - 2.0 * sd, abs=1e-15)


def test_zscore_small_case_and_flat_window() -> None:
    z = ZScore(3)
    out = [z.update(x) for x in (1.0, 2.0, 3.0, 3.0, 3.0)]
    assert all(math.isnan(v) for v in out[:2])
    assert out[2] == pytest.approx(1.0 / math.sqrt(2.0 / 3.0), abs=1e-15)
    assert out[4] == 0.0  # all-equal window: defined as 0, not 0/0


def test_rolling_volatility_small_case() -> None:
    vol = RollingVolatility(2, annualization=4.0)
    out = [vol.update(x) for x in (100.0, 110.0, 99.0)]
    returns = [0.1, 99.0 / 110.0 - 1.0]
    expected = float(np.std(returns, ddof=1)) * 2.0
    assert math.isnan(out[0])
    assert math.isnan(out[1])
    assert out[2] == pytest.approx(expected, rel=1e-12)


def test_macd_exposes_three_lines() -> None:
    m = MACD(2, 3, 2)
    for x in (1.0, 2.0, 4.0, 8.0):
        m.update(x)
    assert m.ready
    assert m.macd == m.value
    assert m.hist == pytest.approx(m.macd - m.signal, abs=1e-15)


# --- warm-up, value, ready, reset ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_warmup_is_documented_count_of_nan_outputs(name: str) -> None:
    indicator = FACTORIES[name]()
    assert indicator.warmup == EXPECTED_WARMUP[name]
    out = [indicator.update(x) for x in PRICES]
    first_defined = next(i for i, v in enumerate(out) if not math.isnan(v))
    assert first_defined == indicator.warmup
    assert not any(math.isnan(v) for v in out[first_defined:])


def test_warmup_of_bar_indicators() -> None:
    atr, obv = ATR(3), OBV()
    assert (atr.warmup, obv.warmup) == (3, 0)
    bars = [(p + 1.0, p - 1.0, p) for p in PRICES]
    out = [atr.update_hlc(*b) for b in bars]
    assert next(i for i, v in enumerate(out) if not math.isnan(v)) == 3
    assert not math.isnan(obv.update_cv(10.0, 5.0))


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_update_returns_value_and_reset_restores_warmup(name: str) -> None:
    indicator = FACTORIES[name]()
    assert isinstance(indicator, Indicator)
    assert not indicator.ready
    assert math.isnan(indicator.value)
    first = []
    for x in PRICES:
        returned = indicator.update(x)
        assert returned == indicator.value or (math.isnan(returned) and not indicator.ready)
        first.append(returned)
    assert indicator.ready
    indicator.reset()
    assert not indicator.ready
    assert math.isnan(indicator.value)
    second = [indicator.update(x) for x in PRICES]
    np.testing.assert_array_equal(first, second)


def test_reset_clears_secondary_outputs() -> None:
    m, bb = MACD(2, 3, 2), Bollinger(3)
    for x in PRICES:
        m.update(x)
        bb.update(x)
    m.reset()
    bb.reset()
    assert all(math.isnan(v) for v in (m.signal, m.hist, bb.upper, bb.lower, bb.middle))


def test_atr_and_obv_reset() -> None:
    atr, obv = ATR(2), OBV()
    bars = [(p + 1.0, p - 0.5, p) for p in PRICES]
    first = [(atr.update_hlc(*b), obv.update_cv(b[2], 10.0)) for b in bars]
    atr.reset()
    obv.reset()
    assert not atr.ready
    assert not obv.ready
    second = [(atr.update_hlc(*b), obv.update_cv(b[2], 10.0)) for b in bars]
    np.testing.assert_array_equal(first, second)


def test_update_bar_reads_the_right_fields() -> None:
    bars = [
        Bar("SPY", i, i - 1, p, p + 1.0, p - 2.0, p + 0.5, 1000.0 + i) for i, p in enumerate(PRICES)
    ]
    sma, atr, obv = SMA(3), ATR(3), OBV()
    sma2, atr2, obv2 = SMA(3), ATR(3), OBV()
    for b in bars:
        assert sma.update_bar(b) == sma2.update(b.close) or not sma.ready
        assert atr.update_bar(b) == atr2.update_hlc(b.high, b.low, b.close) or not atr.ready
        assert obv.update_bar(b) == obv2.update_cv(b.close, b.volume)


def test_repr_names_parameters() -> None:
    assert repr(SMA(20)) == "SMA(period=20)"
    assert repr(MACD()) == "MACD(fast=12, slow=26, signal=9)"
    assert repr(Bollinger(20, 2.5)) == "Bollinger(period=20, k=2.5)"


# --- bad input ---------------------------------------------------------------------------


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
