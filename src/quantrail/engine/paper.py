"""Paper trading on replayed data: the backtest's engine, fed one event at a time at a pace.

1. ``prepare`` builds the same strategy, risk engine, order manager, fill simulator and audit
   trail a backtest uses (engine/build.py).
2. Each event waits until its time has come on the paced clock (``speed`` x real time; 0 runs
   as fast as possible), then goes through ``BacktestEngine.process``.
3. A compact status line reports progress; the run folder is the backtest's.

Only the clock port differs from a backtest, so the trades are the same (tests/integration/
test_paper.py); a live feed will feed ``process`` the same way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quantrail.core.bar import Bar
from quantrail.core.errors import ConfigError
from quantrail.engine.backtest import BacktestEngine
from quantrail.engine.build import prepare
from quantrail.engine.config import RunConfig
from quantrail.engine.results import BacktestResult
from quantrail.runtime import LatencyRecorder

__all__ = ["Pacer", "StatusLine", "run_paper"]

StatusLine = Callable[[str], None]


@dataclass
class Pacer:
    """Sleeps so that event time advances ``speed`` times faster than the wall clock."""

    speed: float
    sleep: Callable[[float], None] = time.sleep
    _previous: int | None = None

    def wait_for(self, ts_ns: int) -> None:
        if self.speed > 0 and self._previous is not None and ts_ns > self._previous:
            self.sleep((ts_ns - self._previous) / 1e9 / self.speed)
        self._previous = ts_ns


def replay_config(config: RunConfig, replay: Path | None) -> RunConfig:
    """The config with its (single) data file replaced by ``replay``, if given."""
    if replay is None:
        return config
    if len(config.data) != 1:
        raise ConfigError("--replay replaces the data file of a single-symbol config", path="data")
    return config.model_copy(update={"data": [config.data[0].model_copy(update={"path": replay})]})


def run_paper(
    config: RunConfig,
    *,
    replay: Path | None = None,
    speed: float = 0.0,
    out_dir: Path | None = None,
    status: StatusLine | None = None,
    status_every: int = 1_000,
    sleep: Callable[[float], None] = time.sleep,
) -> BacktestResult:
    """Run ``config`` as a paper session over replayed data and collect its results.

    Stage latencies (market event to order handed to the venue, and the steps between) are
    measured on every event and written to ``latency.json`` in the run folder.
    """
    if speed < 0:
        raise ConfigError(f"speed must be >= 0 (0 = as fast as possible), was {speed}")
    prepared = prepare(replay_config(config, replay), out_dir=out_dir)
    engine = prepared.engine
    engine.latency = LatencyRecorder()
    stream = engine.stream
    pacer = Pacer(speed, sleep)
    symbols = stream.symbols
    try:
        engine.start()
        for i in range(len(stream.ts)):
            ts = int(stream.ts[i])
            pacer.wait_for(ts)
            bar = Bar(
                symbols[int(stream.symbol_index[i])], ts, int(stream.ts_open[i]),
                float(stream.open[i]), float(stream.high[i]), float(stream.low[i]),
                float(stream.close[i]), float(stream.volume[i]), float(stream.bid[i]),
                float(stream.ask[i]), int(stream.session[i]),
            )  # fmt: skip
            if engine.process(i, bar, float(engine.sigma[i])):
                break
            if status is not None and (i + 1) % status_every == 0:
                status(_status_line(engine, bar, i + 1))
        engine.finish()
    except BaseException:
        prepared.audit.close()  # keep what was recorded before the failure
        raise
    result = prepared.collect()
    latency = engine.latency.summary()
    if out_dir is not None:
        (out_dir / "latency.json").write_text(json.dumps(latency, indent=2, sort_keys=True) + "\n")
    if status is not None:
        status(f"paper: done, {engine.events_done} events, equity {result.final_equity:,.2f}")
    return result


def _status_line(engine: BacktestEngine, bar: Bar, done: int) -> str:
    portfolio = engine.portfolio
    positions = ", ".join(f"{s} {q:g}" for s, q in portfolio.positions().items()) or "flat"
    return (
        f"paper: {bar.symbol} {bar.close:g} | events {done:,} | equity "
        f"{portfolio.equity():,.2f} | {positions} | working {len(engine.oms.working)} | "
        f"risk {engine.risk.mode.value}"
    )
