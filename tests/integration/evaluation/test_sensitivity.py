"""Parameter sensitivity: perturbation arithmetic, validity, the verdict band, the heatmap."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from quantrail.engine.config import RunConfig
from quantrail.research.evaluation import (
    SensitivityBand,
    judge_sensitivity,
    sensitivity,
    write_sensitivity,
)
from quantrail.research.evaluation.params import expand_grid, parse_grid, perturb

BASE = {"sharpe": 1.0, "cagr": 0.10}


def _rows(*rows: tuple[str, float, str, float | None, float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"param": p, "delta": d, "value": 1, "status": s, "sharpe": sh, "cagr": c}
            for p, d, s, sh, c in rows
        ]
    )


def test_perturb_rounds_ints_half_away_from_zero_and_skips_non_numbers() -> None:
    assert perturb(20, -0.1) == 18
    assert perturb(5, -0.1) == 5  # 4.5 rounds away from zero (Python's round() gives 4)
    assert perturb(-5, 0.1) == -6
    assert perturb(22, 0.2) == 26  # 26.4
    assert perturb(2.5, 0.2) == pytest.approx(3.0)
    assert perturb(True, 0.1) is None
    assert perturb("x", 0.1) is None


def test_grid_parsing_and_expansion() -> None:
    grid = parse_grid(["fast=5, 10", "slow=50", "mode=on"])
    assert grid == {"fast": [5, 10], "slow": [50], "mode": [True]}
    assert expand_grid({"a": [1, 2], "b": [3, 4]}) == [
        {"a": 1, "b": 3}, {"a": 1, "b": 4}, {"a": 2, "b": 3}, {"a": 2, "b": 4},
    ]  # fmt: skip
    with pytest.raises(ValueError, match="NAME=V1"):
        parse_grid(["fast"])


def test_verdict_passes_inside_the_band() -> None:
    band = SensitivityBand(max_drop=0.5)
    rows = _rows(("fast", -0.1, "ok", 0.6, 0.06), ("fast", 0.1, "ok", 1.4, 0.2))
    assert judge_sensitivity(BASE, rows, band).passed


def test_verdict_fails_below_the_band_and_names_the_run() -> None:
    band = SensitivityBand(max_drop=0.5)
    rows = _rows(("fast", -0.1, "ok", 0.6, 0.06), ("slow", 0.2, "ok", 0.4, 0.06))
    verdict = judge_sensitivity(BASE, rows, band)
    assert not verdict.passed
    assert len(verdict.reasons) == 1
    assert verdict.reasons[0].startswith("slow +20% (1): sharpe 0.4 < 0.5")


def test_verdict_floor_undefined_values_and_skipped_rows() -> None:
    band = SensitivityBand(max_drop=2.0, floors={"sharpe": 0.0})
    rows = _rows(
        ("fast", -0.1, "ok", -0.2, 0.01),  # inside the 200 % drop band, but below the floor
        ("fast", 0.1, "ok", None, 0.05),  # undefined Sharpe: fails
        ("slow", 0.1, "invalid", None, None),  # not run: ignored
    )
    reasons = judge_sensitivity(BASE, rows, band).reasons
    assert len(reasons) == 2
    assert "floor 0" in reasons[0]
    assert "sharpe is undefined" in reasons[1]
    nothing_ran = _rows(("fast", 0.1, "invalid", None, None))
    assert judge_sensitivity(BASE, nothing_ran, band).reasons == ("no perturbation could be run",)
    undefined_base = judge_sensitivity({"sharpe": None, "cagr": 0.1}, _rows(), band)
    assert "base sharpe is undefined" in undefined_base.reasons


def test_negative_base_band_is_measured_from_its_magnitude() -> None:
    band = SensitivityBand(metrics=("sharpe",), max_drop=0.5)
    base = {"sharpe": -1.0}
    assert judge_sensitivity(base, _rows(("a", 0.1, "ok", -1.4, 0.0)), band).passed
    assert not judge_sensitivity(base, _rows(("a", 0.1, "ok", -1.6, 0.0)), band).passed


def test_sensitivity_on_spy_respects_validity_and_builds_the_heatmap(
    spy_config: dict[str, object], tmp_path: Path
) -> None:
    cfg = {**spy_config, "strategy": {"name": "sma_cross", "params": {"fast": 20, "slow": 22}}}
    config = RunConfig.model_validate(cfg)
    result = sensitivity(config, params=["fast", "slow"], pair=("fast", "slow"), deltas=(-0.1, 0.1))
    rows = {(r["param"], r["delta"]): r for r in result.rows.to_dict(orient="records")}
    shown = {key: (row["value"], row["status"]) for key, row in rows.items()}
    assert shown == {
        ("fast", -0.1): (18, "ok"),
        ("fast", 0.1): (22, "invalid"),  # 22 is not below slow = 22
        ("slow", -0.1): (20, "invalid"),  # 19.8 rounds to 20 = fast
        ("slow", 0.1): (24, "ok"),  # 24.2
    }
    assert result.base_params["quantity"] == 100  # the default filled in from Params
    heat = result.heatmap
    assert heat is not None
    assert list(heat.columns) == [18, 20, 22]
    assert list(heat.index) == [20, 22, 24]
    invalid = {(x, y) for y in heat.index for x in heat.columns if math.isnan(heat.at[y, x])}
    assert invalid == {(20, 20), (22, 20), (22, 22)}
    assert heat.at[22, 20] == pytest.approx(result.base_metrics["sharpe"])
    paths = write_sensitivity(result, tmp_path)
    assert {"sensitivity.json", "sensitivity.csv", "heatmap.csv", "report.html"} <= set(paths)
    assert "<script src" not in paths["report.html"].read_text()
