"""Running a backtest from a RunConfig, and writing its run folder.

The composition root for backtest mode: the only place that knows it is a backtest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from quantrail.core.errors import ConfigError
from quantrail.core.events import CorporateAction
from quantrail.data import merge_frames
from quantrail.engine.backtest import BacktestEngine
from quantrail.engine.config import RunConfig
from quantrail.engine.frames import (
    corporate_actions_for,
    instruments_for,
    load_validated,
    market_open_mask,
    tags_for,
    trailing_sigma,
)
from quantrail.engine.output import write_run_folder
from quantrail.engine.results import BacktestResult, collect_result
from quantrail.risk import RiskEngine, RiskStateStore
from quantrail.store.audit import AuditRecorder
from quantrail.strategy import Strategy, resolve_strategy

__all__ = ["ProgressHooks", "build_strategy", "run_backtest"]


@dataclass(frozen=True)
class ProgressHooks:
    """Called with the total event count once, then with the count done after each chunk."""

    start: Callable[[int], None]
    advance: Callable[[int], None]


def build_strategy(config: RunConfig) -> Strategy:
    cls = resolve_strategy(config.strategy.name)
    try:
        params = cls.Params.model_validate(config.strategy.params)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        path = "strategy.params" + (f".{where}" if where else "")
        raise ConfigError(first["msg"], path=path) from exc
    return cls(params, strategy_id=config.strategy.id)


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
    equity.csv, audit.sqlite and report.html.
    """
    strategy = build_strategy(config)
    frames, reports = load_validated(config.data, base_dir)
    stream = merge_frames(frames)
    sigma = trailing_sigma(frames, stream, config.execution.slippage.volatility_window)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    audit = AuditRecorder(out_dir / "audit.sqlite" if out_dir is not None else None)
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True)
    audit.set_meta("config", canonical)
    audit.set_meta("config_sha256", hashlib.sha256(canonical.encode()).hexdigest())
    engine = BacktestEngine(
        stream=stream,
        instruments=instruments_for(config.data),
        strategy=strategy,
        execution=config.execution,
        risk=RiskEngine(
            config.risk,
            RiskStateStore(config.risk.state_path) if config.risk.state_path else None,
        ),
        audit=audit,
        sigma=sigma,
        actions=[*actions, *corporate_actions_for(config.data, base_dir)],
        tags=tags_for(config.data),
        market_open=(
            market_open_mask(frames, config.data, stream)
            if config.risk.entry.deny_when_market_closed
            else None
        ),
    )
    if progress is not None:
        progress.start(len(stream.ts))
    try:
        engine.run(progress.advance if progress is not None else None)
        result = collect_result(
            engine,
            frequency_ns=min(f.frequency_ns for f in frames),
            asset_classes=[d.asset_class for d in config.data],
            data_quality=reports,
        )
        if out_dir is not None:
            write_run_folder(out_dir, config, result, audit, config_text or canonical)
    finally:
        audit.close()
    return result
