"""Running a backtest from a RunConfig, and writing its run folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from quantrail.core.events import CorporateAction
from quantrail.engine.build import build_strategy, prepare
from quantrail.engine.config import RunConfig
from quantrail.engine.results import BacktestResult

__all__ = ["ProgressHooks", "build_strategy", "run_backtest"]


@dataclass(frozen=True)
class ProgressHooks:
    """Called with the total event count once, then with the count done after each chunk."""

    start: Callable[[int], None]
    advance: Callable[[int], None]


def run_backtest(
    config: RunConfig,
    *,
    base_dir: Path | None = None,
    out_dir: Path | None = None,
    config_text: str | None = None,
    progress: ProgressHooks | None = None,
    actions: Sequence[CorporateAction] = (),
) -> BacktestResult:
    """Load and validate data, run the strategy event by event, and collect the results.

    With ``out_dir`` the run folder is written: metrics.json, trades.csv, orders.csv, fills.csv,
    equity.csv, risk_events.csv, data_quality.json, audit.sqlite and report.html.
    """
    prepared = prepare(config, base_dir=base_dir, out_dir=out_dir, actions=actions)
    engine = prepared.engine
    if progress is not None:
        progress.start(len(engine.stream.ts))
    try:
        engine.run(progress.advance if progress is not None else None)
    except BaseException:
        prepared.audit.close()  # keep what was recorded before the failure
        raise
    return prepared.collect(config_text)
