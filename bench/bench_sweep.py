"""Fast-path sweep speed: sma_cross, fast 5..50 step 5 x slow 60..240 step 20 (100 sets),
over 100,000 seeded random-walk one-minute bars, with the event engine's full cost model.

Times ``research.run_fast``: the indicator tables (each distinct SMA once), the parallel kernel
that simulates every set with the event engine's fills and costs, and packing the fills; the
median of ``--repeat`` calls after a warm-up call, so numba's compile time (cached on disk after
the first run anyway) is excluded. Equity curves and metrics (per set: ledger, round trips,
``compute_metrics``) are built on demand and timed separately. For scale it also times a plain
single-threaded numba SMA-cross loop without costs over the same grid. Machine-readable lines:

    sweep_combos_per_s=N bar_combos_per_s=M seconds=S peak_rss_mb=R
    plain_loop_seconds=P
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import numpy.typing as npt
import pandas as pd
from numba import njit

from quantrail.engine.config import RunConfig
from quantrail.research.fast import inert_risk, load_market, run_fast, strategy_params

FAST = range(5, 51, 5)
SLOW = range(60, 241, 20)


def synthetic_minutes(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, n)))
    open_ = np.r_[100.0, close[:-1]]
    spread = np.abs(rng.normal(0.0, 0.0004, n)) * close
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2020-01-01T00:00:00Z", periods=n, freq="1min"),
            "open": open_.round(4),
            "high": (np.maximum(open_, close) + spread).round(4),
            "low": (np.minimum(open_, close) - spread).round(4),
            "close": close.round(4),
            "volume": rng.integers(1_000, 50_000, n).astype(float),
        }
    )


@njit(cache=True)
def plain_sma_cross(close: npt.NDArray[np.float64], fast: npt.NDArray[np.int64],
                    slow: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:  # fmt: skip
    """The reference: rolling sums, cross detection and P&L, no costs, one thread."""
    out = np.zeros(fast.shape[0])
    n = close.shape[0]
    for c in range(fast.shape[0]):
        f, s = fast[c], slow[c]
        sum_f = 0.0
        sum_s = 0.0
        held = 0.0
        pnl = 0.0
        was = -1
        for t in range(n):
            x = close[t]
            sum_f += x
            sum_s += x
            if t >= f:
                sum_f -= close[t - f]
            if t >= s:
                sum_s -= close[t - s]
            if t > 0:
                pnl += held * (x - close[t - 1])
            if t >= s - 1:
                above = 1 if sum_f / f > sum_s / s else 0
                if was >= 0 and above != was:
                    held = 1.0 if above else 0.0
                was = above
        out[c] = pnl
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bars.parquet"
        synthetic_minutes(args.bars, args.seed).to_parquet(path)
        config = RunConfig.model_validate(
            {
                "data": [{"symbol": "SYN", "path": str(path), "frequency": "1min",
                          "asset_class": "crypto", "tick_size": 0.0001}],
                "strategy": {"name": "sma_cross", "params": {"quantity": 100}},
                "execution": {"cash": 1_000_000, "max_volume_share": None},
                "risk": inert_risk(),
            }
        )  # fmt: skip
        market = load_market(config)
    params = [strategy_params(config, {"fast": f, "slow": s}) for f in FAST for s in SLOW]
    # Warm-up: loads (or, the first time, compiles) the kernels and starts numba's threads.
    run_fast(market, "sma_cross", params)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        batch = run_fast(market, "sma_cross", params)
        times.append(time.perf_counter() - t0)
    seconds = statistics.median(times)
    t0 = time.perf_counter()
    sharpe = [batch.result(i).metrics["sharpe"] for i in range(len(params))]
    metrics_seconds = time.perf_counter() - t0

    fast = np.array([p.fast for p in params], dtype=np.int64)  # type: ignore[attr-defined]
    slow = np.array([p.slow for p in params], dtype=np.int64)  # type: ignore[attr-defined]
    plain_sma_cross(market.close, fast[:1], slow[:1])
    plain = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        plain_sma_cross(market.close, fast, slow)
        plain.append(time.perf_counter() - t0)
    plain_seconds = statistics.median(plain)

    k = len(params)
    fills = int(batch.offsets[-1])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bars: {args.bars:,}  parameter sets: {k}  numba threads: {numba.get_num_threads()}")
    print(f"fills: {fills:,}  best sharpe: {max(s for s in sharpe if s is not None):.3f}")
    print(f"fast path runs: {', '.join(f'{t:.3f}' for t in times)} s (median {seconds:.3f} s)")
    print(
        f"metrics for all sets (round trips + compute_metrics, one thread): {metrics_seconds:.2f} s"
    )
    print(f"plain loop runs: {', '.join(f'{t:.3f}' for t in plain)} s; fast/plain: "
          f"{seconds / plain_seconds:.1f}x")  # fmt: skip
    print(
        f"sweep_combos_per_s={k / seconds:,.0f} bar_combos_per_s={k * args.bars / seconds:,.0f} "
        f"seconds={seconds:.3f} peak_rss_mb={peak_mb:,.0f}"
    )
    print(f"plain_loop_seconds={plain_seconds:.4f}")


if __name__ == "__main__":
    main()
