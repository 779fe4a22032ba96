"""Run config loading: YAML paths in errors, overrides, unknown keys."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quantrail.config import load_run_config, run_config_schema
from quantrail.core import ConfigError
from quantrail.engine.run import build_strategy


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_readme_example_config_loads(repo: Path) -> None:
    loaded = load_run_config(repo / "examples" / "sma_cross_spy.yaml")
    assert loaded.config.strategy.params == {"fast": 20, "slow": 50, "quantity": 100}
    assert loaded.config.execution.latency_ns == 0
    assert loaded.config.data[0].path.is_absolute()
    assert loaded.config.data[0].path.exists()


def test_unknown_key_is_refused_with_its_yaml_path(tmp_path: Path, spy_config: dict) -> None:
    spy_config["execution"]["slipage"] = {"fixed_bps": 1}
    with pytest.raises(ConfigError, match=r"execution\.slipage: unknown key"):
        load_run_config(_write(tmp_path, spy_config))


def test_wrong_type_names_the_list_index(tmp_path: Path, spy_config: dict) -> None:
    spy_config["data"][0]["frequency"] = 5
    with pytest.raises(ConfigError, match=r"data\[0\]\.frequency"):
        load_run_config(_write(tmp_path, spy_config))


def test_negative_cost_is_refused(tmp_path: Path, spy_config: dict) -> None:
    spy_config["execution"]["spread_bps"] = -1
    with pytest.raises(ConfigError, match=r"execution\.spread_bps"):
        load_run_config(_write(tmp_path, spy_config))


def test_bad_latency_text_is_refused(tmp_path: Path, spy_config: dict) -> None:
    spy_config["execution"]["latency"] = "fast"
    with pytest.raises(ConfigError, match=r"execution\.latency.*invalid duration 'fast'"):
        load_run_config(_write(tmp_path, spy_config))


def test_set_overrides_a_value_with_its_yaml_type(tmp_path: Path, spy_config: dict) -> None:
    loaded = load_run_config(
        _write(tmp_path, spy_config),
        ["strategy.params.fast=10", "execution.max_volume_share=null", "data.0.symbol=SPX"],
    )
    assert loaded.config.strategy.params["fast"] == 10
    assert loaded.config.execution.max_volume_share is None
    assert loaded.config.data[0].symbol == "SPX"
    assert "strategy.params.fast=10" in loaded.text


def test_malformed_override_is_a_config_error(tmp_path: Path, spy_config: dict) -> None:
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        load_run_config(_write(tmp_path, spy_config), ["strategy.params.fast"])


def test_strategy_param_error_names_the_param(tmp_path: Path, spy_config: dict) -> None:
    loaded = load_run_config(_write(tmp_path, spy_config), ["strategy.params.fast=60"])
    with pytest.raises(ConfigError, match=r"strategy\.params.*fast \(60\) must be less than slow"):
        build_strategy(loaded.config)
    loaded = load_run_config(_write(tmp_path, spy_config), ["strategy.params.speed=3"])
    with pytest.raises(ConfigError, match=r"strategy\.params\.speed"):
        build_strategy(loaded.config)


def test_unknown_strategy_lists_the_builtins(tmp_path: Path, spy_config: dict) -> None:
    loaded = load_run_config(_write(tmp_path, spy_config), ["strategy.name=sma_crossing"])
    with pytest.raises(ConfigError, match=r"strategy\.name: unknown strategy.*sma_cross"):
        build_strategy(loaded.config)


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_run_config(bad)
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_run_config(tmp_path / "missing.yaml")


def test_checked_in_json_schema_matches_the_config_classes(repo: Path) -> None:
    checked_in = (repo / "docs" / "run-config.schema.json").read_text()
    assert checked_in == run_config_schema(), (
        "the run config changed: regenerate with `quantrail schema > docs/run-config.schema.json`"
    )
