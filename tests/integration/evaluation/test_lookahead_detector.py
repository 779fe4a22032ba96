"""The look-ahead detector finds a planted peek into the future and nothing in the built-ins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import quantrail.engine.build as engine_run
from quantrail.core import Bar
from quantrail.data import DataConfig
from quantrail.engine.config import RunConfig
from quantrail.research.evaluation import detect_lookahead, write_lookahead
from quantrail.strategy import Strategy
from tests.conftest import DATA

# The backdoor: whatever data the engine loads, the test also hands to the strategy.
FUTURE: dict[str, tuple[np.ndarray, np.ndarray]] = {}
PEEK = 5  # bars ahead


class Peeker(Strategy):
    """Buys when the close PEEK bars ahead is higher, sells when it is lower: pure look-ahead,
    the kind a signal precomputed on the whole file with ``shift(-5)`` has."""

    def on_bar(self, bar: Bar) -> None:
        ts, close = FUTURE[bar.symbol]
        i = int(np.searchsorted(ts, bar.ts))
        if i + PEEK >= len(ts):
            return  # no future to peek at: the data ends here
        ahead = close[i + PEEK]
        if ahead > bar.close and self.position(bar.symbol) == 0:
            self.buy(bar.symbol, 10, reason="the future is up")
        elif ahead < bar.close and self.position(bar.symbol) > 0:
            self.sell(bar.symbol, 10, reason="the future is down")


@pytest.fixture
def backdoor(monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine_run.load_validated

    def leaking(configs: list[DataConfig], base_dir: Path | None) -> Any:
        frames, reports = real(configs, base_dir)
        FUTURE.clear()
        FUTURE.update({f.symbol: (f.ts, f.close) for f in frames})
        return frames, reports

    monkeypatch.setattr(engine_run, "load_validated", leaking)


@pytest.mark.usefixtures("backdoor")
def test_a_planted_peek_is_found_with_its_timestamps(
    spy_config: dict[str, object], tmp_path: Path
) -> None:
    name = f"{__name__}:Peeker"
    config = RunConfig.model_validate({**spy_config, "strategy": {"name": name}})
    result = detect_lookahead(config, cuts=4)
    assert not result.verdict.passed
    diffs = result.differences
    assert len(diffs) > 0
    assert set(diffs["kind"]) >= {"submit"}
    # Every difference is at or before its cut, and within the peek horizon of it: decisions
    # earlier than PEEK bars before the cut never needed data past it.
    assert (diffs["ts"] <= diffs["cut"]).all()
    assert ((diffs["cut"] - diffs["ts"]) <= pd.Timedelta(days=2 * PEEK + 4)).all()
    earliest = diffs.sort_values("ts").iloc[0]
    assert str(earliest["ts"]) in str(result.verdict)
    assert (result.checked["differences"] > 0).sum() >= 3  # most cuts catch it
    paths = write_lookahead(result, tmp_path)
    written = pd.read_csv(paths["differences.csv"])
    assert len(written) == len(diffs)
    page = paths["report.html"].read_text()
    assert "FAIL" in page
    assert page.count("plotly.js v") == 1
    assert "<script src" not in page


@pytest.mark.parametrize(
    ("strategy", "params"),
    [
        ("sma_cross", {"fast": 5, "slow": 20, "quantity": 10}),
        ("rsi_reversion", {}),
        ("zscore_reversion", {}),
        ("breakout", {}),
    ],
)
def test_builtins_show_no_lookahead(
    spy_config: dict[str, object], strategy: str, params: dict[str, object]
) -> None:
    config = RunConfig.model_validate(
        {**spy_config, "strategy": {"name": strategy, "params": params}}
    )
    result = detect_lookahead(config, cuts=4)
    assert result.verdict.passed, result.differences.head()
    assert len(result.differences) == 0
    assert result.checked["decisions"].iloc[-1] > 0, "the check must compare some decisions"


def test_two_symbols_and_explicit_cuts(spy_config: dict[str, object]) -> None:
    spy = spy_config["data"][0]  # type: ignore[index]
    aapl = {**spy, "symbol": "AAPL", "path": str(DATA / "equity_daily_AAPL.csv")}
    config = RunConfig.model_validate(
        {
            **spy_config,
            "data": [spy, aapl],
            "strategy": {"name": "sma_cross", "params": {"fast": 5, "slow": 20, "quantity": 10}},
        }
    )
    result = detect_lookahead(config, cuts=["2012-06-29", "2015-03-31T12:00:00-04:00"])
    assert result.verdict.passed
    # Cuts snap to the last bar known at or before the given time.
    assert [c.strftime("%Y-%m-%d") for c in result.cuts] == ["2012-06-28", "2015-03-31"]
    assert len(result.cuts) == 2
