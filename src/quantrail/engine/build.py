"""The composition root: wires data, strategy, risk, simulator and audit into an engine.

Backtest and paper modes share it; only how events are fed differs (a tight loop over the
merged stream, or one paced event at a time).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quantrail.core.errors import ConfigError
from quantrail.core.events import CorporateAction
from quantrail.data import get_calendar, merge_frames
from quantrail.engine.backtest import BacktestEngine
from quantrail.engine.config import RunConfig
from quantrail.engine.frames import (
    corporate_actions_for,
    instruments_for,
    load_validated,
    tags_for,
    trailing_sigma,
)
from quantrail.engine.output import write_run_folder
from quantrail.engine.results import BacktestResult, collect_result
from quantrail.risk import RiskEngine, RiskStateStore
from quantrail.store.audit import AuditRecorder
from quantrail.strategy import Strategy, resolve_strategy

__all__ = ["Prepared", "build_strategy", "prepare"]


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


@dataclass
class Prepared:
    """An engine ready to run, and what is needed to report on it afterwards."""

    config: RunConfig
    engine: BacktestEngine
    audit: AuditRecorder
    frequency_ns: int
    data_quality: list[dict[str, Any]]
    canonical_config: str
    out_dir: Path | None

    def collect(self, config_text: str | None = None) -> BacktestResult:
        """Results of the finished run; writes the run folder when there is one."""
        try:
            result = collect_result(
                self.engine,
                frequency_ns=self.frequency_ns,
                asset_classes=[d.asset_class for d in self.config.data],
                data_quality=self.data_quality,
            )
            if self.out_dir is not None:
                write_run_folder(
                    self.out_dir, self.config, result, self.audit,
                    config_text or self.canonical_config,
                )  # fmt: skip
        finally:
            self.audit.close()
        return result


def prepare(
    config: RunConfig,
    *,
    base_dir: Path | None = None,
    out_dir: Path | None = None,
    actions: Sequence[CorporateAction] = (),
) -> Prepared:
    """Load and validate the data, build the strategy, risk engine, simulator and audit trail."""
    strategy = build_strategy(config)
    frames, reports = load_validated(config.data, base_dir)
    stream = merge_frames(frames)
    all_actions = [*actions, *corporate_actions_for(config.data, base_dir)]
    sigma = trailing_sigma(frames, stream, config.execution.slippage.volatility_window, all_actions)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    audit = AuditRecorder(out_dir / "audit.sqlite" if out_dir is not None else None)
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True)
    audit.set_meta("config", canonical)
    audit.set_meta("config_sha256", hashlib.sha256(canonical.encode()).hexdigest())
    state = RiskStateStore(config.risk.state_path) if config.risk.state_path else None
    engine = BacktestEngine(
        stream=stream,
        instruments=instruments_for(config.data),
        strategy=strategy,
        execution=config.execution,
        risk=RiskEngine(config.risk, state),
        audit=audit,
        sigma=sigma,
        actions=all_actions,
        tags=tags_for(config.data),
        calendars=(
            {d.symbol: get_calendar(d.calendar_name) for d in config.data}
            if config.risk.entry.deny_when_market_closed
            else None
        ),
    )
    return Prepared(
        config=config,
        engine=engine,
        audit=audit,
        frequency_ns=min(f.frequency_ns for f in frames),
        data_quality=reports,
        canonical_config=canonical,
        out_dir=out_dir,
    )
