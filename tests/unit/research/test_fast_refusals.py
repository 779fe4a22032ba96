"""The fast path refuses what it cannot reproduce exactly, naming the field to change."""

from __future__ import annotations

from typing import Any

import pytest

from quantrail.core.errors import ConfigError
from quantrail.research import FastPathUnsupported, check_fast_support, fast_backtest
from tests.unit.research.helpers import DATA, data_entry, run_config


def _refused(config: Any, path: str) -> str:
    with pytest.raises(FastPathUnsupported) as info:
        fast_backtest(config)
    assert isinstance(info.value, ConfigError)  # the CLI maps it to exit code 2
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: ")
    return str(info.value)


def test_a_volume_cap_needs_the_event_engine() -> None:
    message = _refused(
        run_config("sma_cross", execution={"max_volume_share": 0.1}), "execution.max_volume_share"
    )
    assert "set it to null" in message


def test_latency_needs_the_event_engine() -> None:
    _refused(run_config("sma_cross", execution={"latency": "1s"}), "execution.latency")


def test_several_symbols_need_the_event_engine() -> None:
    data = [data_entry("equity_daily_SPY.csv"), data_entry("equity_daily_AAPL.csv")]
    _refused(run_config("sma_cross", data=data), "data")


def test_corporate_actions_need_the_event_engine() -> None:
    entry = data_entry(
        "equity_daily_AAPL_2014_raw.csv", actions_path=str(DATA / "actions_AAPL_2014.csv")
    )
    _refused(run_config("sma_cross", data=[entry]), "data[0].actions_path")


def test_a_strategy_without_a_kernel_needs_the_event_engine() -> None:
    config = run_config("quantrail.strategy.builtin.sma_cross:SmaCross")
    _refused(config, "strategy.name")


def test_a_risk_limit_needs_the_event_engine() -> None:
    config = run_config("sma_cross", risk={"max_order_quantity": 1000})
    with pytest.raises(FastPathUnsupported) as info:
        check_fast_support(config)
    assert info.value.path is not None
    assert info.value.path.startswith("risk.")


def test_a_quantity_off_the_lot_grid_needs_the_event_engine() -> None:
    # The engine would fill 2 of 2.5 and leave the rest working; the fast path does not guess.
    message = _refused(run_config("sma_cross", {"quantity": 2.5}), "strategy.params.quantity")
    assert "lot size" in message


def test_bars_that_overlap_need_the_event_engine() -> None:
    # Daily bars declared two days long: each opens before the previous one is known, so an
    # order arrives inside a bar and the engine fills it at that bar's close.
    entry = data_entry("equity_daily_SPY.csv", frequency="2d")
    _refused(run_config("sma_cross", data=[entry]), "data[0]")


def test_invalid_parameters_are_reported_like_the_engine() -> None:
    with pytest.raises(ConfigError, match=r"strategy\.params: .*fast \(60\) must be less"):
        fast_backtest(run_config("sma_cross", {"fast": 60, "slow": 50}))
