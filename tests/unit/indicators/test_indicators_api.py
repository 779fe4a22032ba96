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
