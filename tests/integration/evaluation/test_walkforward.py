"""Walk-forward analysis on bundled SPY daily bars with a small grid, through the event engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.research.evaluation import WindowedData, walk_forward, write_walk_forward

GRID = {"fast": [10, 20, 60], "slow": [50, 100]}  # fast=60 with slow=50 is invalid


@pytest.fixture
def config(spy_config: dict[str, object]) -> RunConfig:
    return RunConfig.model_validate(spy_config)


def test_windowed_files_hold_only_their_bars_and_replay_the_full_run_exactly(
    config: RunConfig, tmp_path: Path
) -> None:
    data = WindowedData(config, tmp_path)
    ts = data.timestamps
    window = data.data(int(ts[100]), int(ts[200]))
    written = pd.read_csv(window[0].path)
    assert len(written) == 100
    # The rewrite is lossless: the whole data, rewritten, gives the original run bit for bit.
    rewritten = data.run(config)
    original = run_backtest(config)
    pd.testing.assert_series_equal(rewritten.equity, original.equity)
    pd.testing.assert_frame_equal(rewritten.result.fills, original.fills)


def test_rolling_walk_forward(config: RunConfig, tmp_path: Path) -> None:
    result = walk_forward(config, GRID, train=504, test=252)
    assert result.invalid == [{"fast": 60, "slow": 50}]
    assert len(result.folds) == 7  # (2519 bars - 504) // 252 full test windows
    for r in result.folds:
        scores = [score for _, score in r.trials]
        assert len(scores) == 5
        assert r.params == r.trials[int(np.argmax(scores))][0]  # the first best wins ties
        assert r.is_metrics["sharpe"] == max(scores)
        # Each test run saw its window only: a fresh account on the window's first bar.
        eq = r.oos_equity
        assert eq.index[0] >= pd.Timestamp(r.fold.test.start, unit="ns", tz="UTC")
        assert eq.index[-1] < pd.Timestamp(r.fold.test.end, unit="ns", tz="UTC")
        assert eq.iloc[0] == config.execution.cash
        assert len(eq) == r.fold.test.bars
    # Chained returns: the stitched curve's returns are the folds' own returns, in order.
    stitched = result.oos_equity.pct_change().iloc[1:].to_numpy()
    folds = np.concatenate([r.oos_equity.pct_change().iloc[1:].to_numpy() for r in result.folds])
    np.testing.assert_allclose(stitched, folds, rtol=1e-9, atol=1e-15)
    assert result.oos_equity.iloc[0] == config.execution.cash
    is_cagr = np.mean([r.is_metrics["cagr"] for r in result.folds])
    assert result.is_annual_return == pytest.approx(is_cagr)
    if is_cagr > 0:
        assert result.efficiency == pytest.approx(result.oos_metrics["cagr"] / is_cagr)

    paths = write_walk_forward(result, tmp_path / "wf", config_text="name: test")
    assert all(p.exists() for p in paths.values())
    assert len(pd.read_csv(paths["folds.csv"])) == 7
    assert len(pd.read_csv(paths["trials.csv"])) == 7 * 5
    page = paths["report.html"].read_text()
    assert "<script src" not in page
    assert page.count("plotly.js v") == 1  # the library's banner: inlined exactly once
    assert "Verdict:" in page


def test_anchored_walk_forward_with_warmup(config: RunConfig, tmp_path: Path) -> None:
    result = walk_forward(
        config, {"fast": [10, 20]}, train="730d", test="365d", anchored=True, warmup_bars=60
    )
    first_bar = int(WindowedData(config, tmp_path).timestamps[0])
    assert [r.fold.train.start for r in result.folds] == [first_bar] * len(result.folds)
    assert [r.fold.train.end for r in result.folds] == [r.fold.test.start for r in result.folds]
    for r in result.folds:
        # With warmup the segment's base is the last warmup bar, just before the test window.
        test_start = pd.Timestamp(r.fold.test.start, unit="ns", tz="UTC")
        assert r.oos_equity.index[0] < test_start <= r.oos_equity.index[1]
        assert len(r.oos_equity) == r.fold.test.bars + 1
