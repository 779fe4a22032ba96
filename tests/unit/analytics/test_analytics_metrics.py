import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantrail.analytics import METRIC_KEYS, compute_metrics, drawdown_series, monthly_returns

NO_TRADES = pd.DataFrame({"pnl": pd.Series([], dtype=float)})


def daily(values: list[float], start: str = "2024-01-01") -> pd.Series:
    index = pd.date_range(start, periods=len(values), freq="D", tz="UTC")
    return pd.Series(values, index=index, dtype=float)


def metrics(equity: pd.Series, **kwargs: object) -> dict[str, float | int | None]:
    options: dict[str, object] = {
        "periods_per_year": 252.0,
        "trades": NO_TRADES,
        "turnover_notional": 0.0,
    }
    options.update(kwargs)
    return compute_metrics(equity, **options)  # type: ignore[arg-type]


class TestHandComputed:
    """Equity 100 -> 110 -> 99 -> 108.9 on consecutive days: returns +10%, -10%, +10%."""

    equity = daily([100.0, 110.0, 99.0, 108.9])

    def test_return_and_drawdown(self) -> None:
        m = metrics(self.equity)
        assert m["total_return"] == pytest.approx(0.089)
        assert m["max_drawdown"] == pytest.approx(-0.1)
        # Peak 110 on day 1 is never regained: 2 periods, 2 days to the end.
        assert m["max_drawdown_duration"] == 2
        assert m["max_drawdown_duration_days"] == pytest.approx(2.0)
        assert m["best_period"] == pytest.approx(0.1)
        assert m["worst_period"] == pytest.approx(-0.1)
        assert m["num_periods"] == 3

    def test_sharpe_volatility_sortino(self) -> None:
        m = metrics(self.equity)
        # mean = (0.1 - 0.1 + 0.1) / 3 = 1/30
        # deviations 2/30, -4/30, 2/30 -> sample variance (4 + 16 + 4) / 900 / 2 = 1/75
        assert m["annual_volatility"] == pytest.approx(math.sqrt(252 / 75))
        # sharpe = (1/30) / sqrt(1/75) * sqrt(252) = sqrt(75 * 252) / 30 ~= 4.5826
        assert m["sharpe"] == pytest.approx(math.sqrt(75 * 252) / 30)
        assert m["sharpe"] == pytest.approx(4.58257569, rel=1e-8)
        # downside deviation = sqrt((0 + 0.01 + 0) / 3) = sqrt(1/300)
        assert m["sortino"] == pytest.approx(math.sqrt(300 * 252) / 30)

    def test_cagr_calmar_turnover(self) -> None:
        m = metrics(self.equity, turnover_notional=1_000.0)
        years = 3 / 365.25
        cagr = 1.089 ** (1 / years) - 1
        assert m["cagr"] == pytest.approx(cagr)
        assert m["calmar"] == pytest.approx(cagr / 0.1)
        mean_equity = (100 + 110 + 99 + 108.9) / 4
        assert m["turnover"] == pytest.approx(1_000 / mean_equity / years)

    def test_var_cvar_with_linear_interpolation(self) -> None:
        m = metrics(self.equity)
        # sorted [-0.1, 0.1, 0.1]; 5% sits 0.1 of the way from -0.1 to 0.1
        assert m["var_95"] == pytest.approx(-0.08)
        assert m["cvar_95"] == pytest.approx(-0.1)


def test_var_cvar_on_known_return_vector() -> None:
    # 21 returns: the 5% quantile lands exactly on the second-worst (position 0.05 * 20 = 1).
    returns = [-0.04, -0.02] + [0.01] * 19
    equity = daily(list(100.0 * np.cumprod([1.0, *(1 + r for r in returns)])))
    m = metrics(equity)
    assert m["var_95"] == pytest.approx(-0.02)
    assert m["cvar_95"] == pytest.approx((-0.04 + -0.02) / 2)
    assert m["worst_period"] == pytest.approx(-0.04)


def test_skew_and_kurtosis_match_pandas_estimators() -> None:
    returns = pd.Series([0.01, -0.02, 0.03, 0.005, -0.01, 0.02, -0.04])
    equity = daily(list(100.0 * np.cumprod([1.0, *(1 + returns)])))
    m = metrics(equity)
    assert m["skew"] == pytest.approx(returns.skew(), rel=1e-6)
    assert m["kurtosis"] == pytest.approx(returns.kurt(), rel=1e-6)


def test_trade_statistics() -> None:
    trades = pd.DataFrame({"pnl": [30.0, -10.0, 20.0, -20.0, 0.0]})
    m = metrics(daily([100.0, 101.0]), trades=trades, exposure=0.25)
    assert m["num_trades"] == 5
    assert m["win_rate"] == pytest.approx(2 / 5)
    assert m["profit_factor"] == pytest.approx(50 / 30)
    assert m["expectancy"] == pytest.approx(20 / 5)
    assert m["avg_win"] == pytest.approx(25.0)
    assert m["avg_loss"] == pytest.approx(-15.0)
    assert m["exposure"] == 0.25


def test_drawdown_that_never_recovers() -> None:
    m = metrics(daily([100.0, 120.0, 110.0, 100.0, 105.0]))
    assert m["max_drawdown"] == pytest.approx(100 / 120 - 1)
    assert m["max_drawdown_duration"] == 3
    assert m["max_drawdown_duration_days"] == pytest.approx(3.0)


def test_duration_in_periods_and_days_are_separate_maxima() -> None:
    # Run 1: peak at bar 0, recovered at bar 3 (3 periods, 3 days).
    # Run 2: peak at bar 4, still under water at bar 5, which is 26 days later.
    index = pd.to_datetime(
        ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-31"],
        utc=True,
    )
    equity = pd.Series([100.0, 90.0, 95.0, 100.0, 101.0, 99.0], index=index)
    m = metrics(equity)
    assert m["max_drawdown_duration"] == 3
    assert m["max_drawdown_duration_days"] == pytest.approx(26.0)


def test_flat_equity_is_json_safe() -> None:
    m = metrics(daily([100.0] * 10))
    json.dumps(m, allow_nan=False)
    assert m["total_return"] == 0.0
    assert m["annual_volatility"] == 0.0
    assert m["max_drawdown"] == 0.0
    assert m["max_drawdown_duration"] == 0
    for key in ("sharpe", "sortino", "calmar", "skew", "kurtosis", "win_rate", "profit_factor"):
        assert m[key] is None, key


def test_single_trade_is_json_safe() -> None:
    trades = pd.DataFrame({"pnl": [12.5]})
    m = metrics(daily([100.0, 112.5]), trades=trades, turnover_notional=200.0)
    json.dumps(m, allow_nan=False)
    assert m["num_trades"] == 1
    assert m["win_rate"] == 1.0
    assert m["profit_factor"] is None  # no losing trade to divide by
    assert m["avg_loss"] is None
    assert m["sharpe"] is None  # one return has no sample standard deviation


def test_single_point_equity() -> None:
    m = metrics(daily([100.0]))
    json.dumps(m, allow_nan=False)
    assert m["total_return"] == 0.0
    assert m["cagr"] is None
    assert m["turnover"] is None


def test_returns_every_documented_key_with_plain_python_types() -> None:
    m = metrics(daily([100.0, 101.0, 99.0, 103.0]))
    assert tuple(m) == METRIC_KEYS
    for key, value in m.items():
        assert value is None or type(value) in (int, float), (key, type(value))
    assert type(m["max_drawdown_duration"]) is int


@pytest.mark.parametrize(
    ("equity", "message"),
    [
        (daily([]), "empty"),
        (daily([100.0, float("nan"), 101.0]), "NaN"),
        (daily([100.0, 0.0, 101.0]), "strictly positive"),
        (daily([100.0, -5.0]), "strictly positive"),
        (daily([100.0, float("inf")]), "infinite"),
        (pd.Series([100.0, 101.0]), "DatetimeIndex"),
        (daily([100.0, 101.0]).iloc[::-1], "strictly increasing"),
    ],
)
def test_invalid_equity_raises(equity: pd.Series, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        metrics(equity)
    with pytest.raises(ValueError, match=message):
        drawdown_series(equity)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"periods_per_year": 0.0}, "periods_per_year"),
        ({"turnover_notional": -1.0}, "turnover_notional"),
        ({"exposure": 1.5}, "exposure"),
        ({"trades": pd.DataFrame({"x": [1.0]})}, "pnl"),
    ],
)
def test_invalid_arguments_raise(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        metrics(daily([100.0, 101.0]), **kwargs)


positive_curves = st.lists(
    st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=60,
)


@given(positive_curves)
def test_drawdown_bounds_for_any_positive_series(values: list[float]) -> None:
    equity = daily(values)
    dd = drawdown_series(equity)
    assert ((dd >= -1.0) & (dd <= 0.0)).all()
    assert dd.iloc[0] == 0.0
    m = metrics(equity)
    assert m["max_drawdown"] is not None
    assert -1.0 <= m["max_drawdown"] <= 0.0
    assert m["max_drawdown"] == pytest.approx(dd.min())
    assert 0 <= m["max_drawdown_duration"] <= len(values) - 1  # type: ignore[operator]
    json.dumps(m, allow_nan=False)


def test_monthly_returns_table() -> None:
    index = pd.to_datetime(
        ["2024-01-01", "2024-01-31", "2024-02-15", "2024-02-29", "2024-04-10", "2025-01-05"],
        utc=True,
    )
    equity = pd.Series([100.0, 110.0, 99.0, 121.0, 133.1, 119.79], index=index)
    table = monthly_returns(equity)
    columns: list[object] = list(table.columns)
    assert columns == list(range(1, 13))
    assert list(table.index) == [2024, 2025]
    assert table.loc[2024, 1] == pytest.approx(0.1)  # 110 / 100 (starting equity)
    assert table.loc[2024, 2] == pytest.approx(0.1)  # 121 / 110 (January's close)
    march = table.loc[2024, 3]
    assert isinstance(march, float)
    assert math.isnan(march)  # no data in March
    assert table.loc[2024, 4] == pytest.approx(0.1)  # 133.1 / 121 (last month with data)
    assert table.loc[2025, 1] == pytest.approx(-0.1)
    # Months compound to the total return.
    cells = table.to_numpy().ravel()
    growth = float(np.prod(1 + cells[~np.isnan(cells)]))
    assert growth == pytest.approx(119.79 / 100.0)


def test_monthly_returns_buckets_in_utc() -> None:
    # 23:30 in New York on Jan 31 is already February in UTC.
    index = pd.DatetimeIndex(
        [
            pd.Timestamp("2024-01-15", tz="America/New_York"),
            pd.Timestamp("2024-01-31 23:30", tz="America/New_York"),
        ]
    )
    table = monthly_returns(pd.Series([100.0, 105.0], index=index))
    assert table.loc[2024, 1] == pytest.approx(0.0)
    assert table.loc[2024, 2] == pytest.approx(0.05)


def test_constant_growth_has_no_sharpe_instead_of_a_huge_one() -> None:
    # Returns are all 1% up to float noise (std ~1e-16); dividing by that noise would give a
    # Sharpe near 1e15, so a dispersion below 1e-12 counts as zero.
    m = metrics(daily(list(100.0 * 1.01 ** np.arange(50))))
    assert m["sharpe"] is None
    assert m["sortino"] is None
    assert m["annual_volatility"] == pytest.approx(0.0, abs=1e-10)
    assert m["max_drawdown"] == 0.0
