"""Trade Monte Carlo and the share of profit carried by the best trades."""

from __future__ import annotations

import numpy as np
import pytest

from quantrail.analytics import top_trades_profit_share, trade_monte_carlo

PNL = np.array([500.0, -200.0, 300.0, -400.0, 250.0, -100.0, 800.0, -50.0, 120.0, -300.0])


def test_shuffle_keeps_the_final_pnl_and_varies_the_path() -> None:
    result = trade_monte_carlo(PNL, start_equity=10_000, n_sims=200, method="shuffle", seed=1)
    np.testing.assert_allclose(result.final_pnl, PNL.sum())
    assert len(np.unique(result.max_drawdown)) > 5
    assert result.observed_final_pnl == pytest.approx(PNL.sum())


def test_seeded_runs_are_reproducible_and_seeds_differ() -> None:
    a = trade_monte_carlo(PNL, start_equity=10_000, n_sims=50, seed=4)
    b = trade_monte_carlo(PNL, start_equity=10_000, n_sims=50, seed=4)
    c = trade_monte_carlo(PNL, start_equity=10_000, n_sims=50, seed=5)
    np.testing.assert_array_equal(a.final_pnl, b.final_pnl)
    assert not np.array_equal(a.final_pnl, c.final_pnl)


def test_bootstrap_final_pnl_centres_on_the_observed_total() -> None:
    result = trade_monte_carlo(PNL, start_equity=10_000, n_sims=20_000, seed=2)
    standard_error = PNL.std() * np.sqrt(len(PNL)) / np.sqrt(20_000)
    assert abs(result.final_pnl.mean() - PNL.sum()) < 5 * standard_error


def test_drawdown_of_the_real_order_by_hand() -> None:
    # equity 1000 -> 1100 -> 880 -> 968: peak 1100, trough 880, a 20 % drawdown of 220.
    result = trade_monte_carlo([100.0, -220.0, 88.0], start_equity=1000, n_sims=1, seed=0)
    assert result.observed_max_drawdown == pytest.approx(-0.2)
    summary = result.summary()
    assert summary["observed_final_pnl"] == pytest.approx(-32.0)
    assert set(summary) >= {"final_pnl_p5", "max_drawdown_p95", "ruin_probability"}


def test_a_path_through_zero_is_ruin() -> None:
    result = trade_monte_carlo([-600.0, -600.0, 2000.0], start_equity=1000, method="shuffle")
    assert result.ruined.any()
    assert result.max_drawdown[result.ruined].tolist() == [-1.0] * int(result.ruined.sum())
    assert result.summary()["ruin_probability"] > 0


def test_monte_carlo_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one trade"):
        trade_monte_carlo([], start_equity=1000)
    with pytest.raises(ValueError, match="start_equity"):
        trade_monte_carlo([1.0], start_equity=0)
    with pytest.raises(ValueError, match="method"):
        trade_monte_carlo([1.0], start_equity=1, method="jackknife")  # type: ignore[arg-type]


def test_top_trades_profit_share() -> None:
    # Ten trades: the best one (10 %) makes 800 of a net 920.
    assert top_trades_profit_share(PNL) == pytest.approx(800.0 / 920.0)
    # Above 1: the other trades lose money together.
    assert top_trades_profit_share([1000.0, -100.0, -100.0, -100.0, 50.0]) == pytest.approx(
        1000.0 / 750.0
    )
    # ceil(0.1 * 11) = 2 trades.
    assert top_trades_profit_share([5.0] * 9 + [10.0, 20.0]) == pytest.approx(30.0 / 75.0)
    assert top_trades_profit_share([-1.0, 0.5]) is None
    assert top_trades_profit_share([]) is None
    with pytest.raises(ValueError, match="fraction"):
        top_trades_profit_share([1.0], fraction=0.0)
