"""Event-engine throughput: SMA(20)/SMA(50) cross over 1,000,000 seeded random-walk minute bars.

Runs the full path (risk hook, order manager, fill simulator with costs and volume cap, audit
rows written in batches to a SQLite file) and prints bars per second for ``engine.run`` alone,
plus peak resident memory of the process. The last line is machine-readable:

    event_engine_bars_per_s=N peak_rss_mb=M
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from quantrail.data import merge_frames
from quantrail.engine.backtest import BacktestEngine
from quantrail.engine.config import RunConfig
from quantrail.engine.frames import instruments_for, load_validated, trailing_sigma
from quantrail.engine.results import collect_result
from quantrail.engine.run import build_strategy
from quantrail.risk import RiskEngine
from quantrail.store.audit import AuditRecorder


def synthetic_minutes(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    log_returns = rng.normal(0.0, 0.0008, n)
    close = 100.0 * np.exp(np.cumsum(log_returns))
    open_ = np.r_[100.0, close[:-1]]
    spread = np.abs(rng.normal(0.0, 0.0004, n)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread
    volume = rng.integers(1_000, 50_000, n).astype(float)
    start = pd.Timestamp("2020-01-01T00:00:00Z")
    stamps = pd.date_range(start, periods=n, freq="1min")
    return pd.DataFrame(
        {
            "timestamp": stamps,
            "open": open_.round(4),
            "high": high.round(4),
            "low": low.round(4),
            "close": close.round(4),
            "volume": volume,
        }
    )


def _write(path: Path, bars: int, seed: int) -> None:
    synthetic_minutes(bars, seed).to_parquet(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.parquet"
        # Generated in a child process: the peak memory reported is the backtest's, not the
        # synthesiser's DataFrame.
        child = multiprocessing.get_context("spawn").Process(
            target=_write, args=(path, args.bars, args.seed)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"data generation failed with exit code {child.exitcode}")
        config = RunConfig.model_validate(
            {
                "data": [
                    {"symbol": "SYN", "path": str(path), "frequency": "1min",
                     "asset_class": "crypto", "tick_size": 0.0001, "lot_size": 1}
                ],
                "strategy": {"name": "sma_cross",
                             "params": {"fast": 20, "slow": 50, "quantity": 100}},
                "execution": {"cash": 1_000_000, "fill": "next_open"},
            }
        )  # fmt: skip
        t0 = time.perf_counter()
        frames, _ = load_validated(config.data, None)
        stream = merge_frames(frames)
        sigma = trailing_sigma(frames, stream, config.execution.slippage.volatility_window)
        t1 = time.perf_counter()
        audit = AuditRecorder(Path(tmp) / "audit.sqlite")
        engine = BacktestEngine(
            stream=stream,
            instruments=instruments_for(config.data),
            strategy=build_strategy(config),
            execution=config.execution,
            risk=RiskEngine(config.risk),
            audit=audit,
            sigma=sigma,
        )
        t2 = time.perf_counter()
        engine.run()
        t3 = time.perf_counter()
        result = collect_result(
            engine, frequency_ns=frames[0].frequency_ns, asset_classes=["crypto"]
        )
        audit.close()
        t4 = time.perf_counter()
    bars_per_s = args.bars / (t3 - t2)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bars: {args.bars:,}  fills: {len(engine.fills):,}  trades: {len(result.trades):,}")
    print(
        f"load+validate+merge: {t1 - t0:.2f}s  event loop: {t3 - t2:.2f}s  results: {t4 - t3:.2f}s"
    )
    print(f"event_engine_bars_per_s={bars_per_s:,.0f} peak_rss_mb={peak_mb:,.0f}")


if __name__ == "__main__":
    main()
