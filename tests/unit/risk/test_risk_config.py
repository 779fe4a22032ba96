"""The ``risk:`` section: old flat keys still validate, new rules are nested sections."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from quantrail.engine.config import RunConfig
from quantrail.risk import RiskConfig


def test_the_flat_keys_of_earlier_configs_still_validate() -> None:
    old = {
        "max_order_quantity": 100,
        "max_order_notional": 50_000,
        "max_position_quantity": 500,
        "max_gross_exposure": 1.5,
        "max_price_age": "3d",
    }
    config = RiskConfig.model_validate(old)
    assert config.max_order_quantity == 100
    assert config.max_price_age == "3d"
    assert RiskConfig.model_validate(config.model_dump()) == config


def test_new_rules_are_nested_sections_and_limits_can_be_switched_off() -> None:
    config = RiskConfig.model_validate(
        {
            "max_position_pct": None,
            "daily_loss": {"max_loss_pct": 0.02},
            "drawdown": {"max_drawdown": None},
            "entry": {"max_spread_bps": 25, "min_bar_volume": 1000},
            "concentration": {"limits": {"sector": 0.4}},
            "kill_switch": {"path": "/tmp/quantrail.kill"},
        }
    )
    assert config.max_position_pct is None
    assert config.daily_loss.max_loss_pct == pytest.approx(0.02)
    assert config.concentration.limits == {"sector": 0.4}


@pytest.mark.parametrize(
    "bad",
    [
        {"max_order_quanity": 1},  # a typo must not silently disable a limit
        {"entry": {"max_spread": 5}},
        {"max_price_age": "three days"},
        {"max_position_pct": 0},
        {"daily_loss": {"max_loss_pct": 1.5}},
        {"concentration": {"limits": {"sector": 1.5}}},
        {"correlation": {"threshold": 1.2}},
    ],
)
def test_unknown_keys_and_bad_values_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RiskConfig.model_validate(bad)


def test_the_run_config_still_composes_it() -> None:
    run = RunConfig.model_validate(
        {
            "data": [{"symbol": "X", "path": "x.csv", "frequency": "1d"}],
            "strategy": {"name": "sma_cross"},
            "risk": {"max_order_quantity": 100, "max_position_pct": None},
        }
    )
    assert isinstance(run.risk, RiskConfig)
    assert run.risk.max_position_pct is None
