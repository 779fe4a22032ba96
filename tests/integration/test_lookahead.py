"""A strategy can never see data stamped after the clock.

Every bar after time T is changed; every decision up to T must stay identical. A strategy that
peeked ahead (or an engine that handed it future data) would decide differently before T.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantrail.core import Bar
from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.strategy import Strategy
from tests.conftest import DATA

SEEN: list[tuple[int, int, float]] = []


class Recorder(Strategy):
    """Records what it is shown and the clock at that moment; trades on a simple rule."""

    def on_bar(self, bar: Bar) -> None:
        SEEN.append((self.now_ns(), bar.ts, bar.close))
        if bar.close > bar.open and self.position(bar.symbol) == 0:
            self.buy(bar.symbol, 10, reason="up bar")
        elif bar.close < bar.open and self.position(bar.symbol) > 0:
            self.sell(bar.symbol, 10, reason="down bar")


def _perturbed_copy(source: Path, target: Path, after: str, seed: int) -> None:
    frame = pd.read_csv(source)
    rng = np.random.default_rng(seed)
    later = frame["timestamp"] > after
    factor = rng.uniform(0.5, 1.5, later.sum())
    for column in ("open", "high", "low", "close"):
        frame.loc[later, column] = (frame.loc[later, column] * factor).round(4)
    frame.loc[later, "volume"] = frame.loc[later, "volume"] * 3
    frame.to_csv(target, index=False)


@pytest.mark.parametrize(
    ("strategy", "params"),
    [
        ("tests.integration.test_lookahead:Recorder", {}),
        ("sma_cross", {"fast": 5, "slow": 20, "quantity": 10}),
        ("rsi_reversion", {}),
        ("zscore_reversion", {}),
        ("breakout", {}),
    ],
)
def test_changing_every_bar_after_t_leaves_decisions_up_to_t_identical(
    tmp_path: Path, spy_config: dict[str, object], strategy: str, params: dict[str, object]
) -> None:
    cut = "2012-06-29T00:00:00-04:00"  # perturb everything after this trading day's bar
    perturbed = tmp_path / "spy_perturbed.csv"
    _perturbed_copy(DATA / "equity_daily_SPY.csv", perturbed, cut, seed=11)
    data = spy_config["data"][0]  # type: ignore[index]
    altered = {**spy_config, "data": [{**data, "path": str(perturbed)}]}
    runs = []
    for cfg in (spy_config, altered):
        cfg = {**cfg, "strategy": {"name": strategy, "params": params}}
        SEEN.clear()
        result = run_backtest(RunConfig.model_validate(cfg))
        runs.append((result.orders, result.fills, list(SEEN)))
    (orders_a, fills_a, seen_a), (orders_b, fills_b, _seen_b) = runs
    # The bar of the cut day is known at the next midnight (bar_start + 1d).
    t = pd.Timestamp(cut).tz_convert("UTC") + pd.Timedelta(days=1)
    before_a = orders_a[orders_a["ts_created"] <= t].drop(
        columns=["status", "filled_quantity", "avg_fill_price", "commission"]
    )
    before_b = orders_b[orders_b["ts_created"] <= t].drop(
        columns=["status", "filled_quantity", "avg_fill_price", "commission"]
    )
    assert len(before_a) > 0, "the strategy must have decided something before T"
    pd.testing.assert_frame_equal(before_a.reset_index(drop=True), before_b.reset_index(drop=True))
    filled_a = fills_a[fills_a["event_ts"] <= t].reset_index(drop=True)
    filled_b = fills_b[fills_b["event_ts"] <= t].reset_index(drop=True)
    pd.testing.assert_frame_equal(filled_a, filled_b)
    # And the perturbation did change later decisions, so the test has teeth.
    assert not orders_a.equals(orders_b), "perturbing the data after T changed nothing"
    if seen_a:
        assert all(clock == ts for clock, ts, _ in seen_a), "a bar stamped after the clock"
