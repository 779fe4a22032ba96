"""Latency of the live path: market event to order handed to the venue, 50 symbols of minutes.

A paper session (the engine fed one event at a time, as live data would arrive) over 50
symbols x 2,000 one-minute bars of seeded random walks, sma_cross 5/20 so that orders are
frequent. Prints per-stage p50/p99 in microseconds and a machine-readable last line:

    latency_event_to_submit_p50_us=X p99_us=Y orders=N
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from quantrail.engine.config import RunConfig
from quantrail.engine.paper import run_paper


def write_symbols(folder: Path, symbols: int, bars: int, seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2024-01-02T00:00:00Z", periods=bars, freq="1min")
    data = []
    for k in range(symbols):
        close = 50.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, bars)))
        open_ = np.r_[close[0], close[:-1]]
        frame = pd.DataFrame({
            "timestamp": stamps, "open": open_.round(4),
            "high": (np.maximum(open_, close) * 1.0005).round(4),
            "low": (np.minimum(open_, close) * 0.9995).round(4), "close": close.round(4),
            "volume": rng.integers(10_000, 100_000, bars).astype(float),
        })  # fmt: skip
        path = folder / f"S{k:02d}.parquet"
        frame.to_parquet(path)
        data.append({"symbol": f"S{k:02d}", "path": str(path), "frequency": "1min",
                     "asset_class": "crypto", "tick_size": 0.0001})  # fmt: skip
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--symbols", type=int, default=50)
    parser.add_argument("--bars", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = RunConfig.model_validate(
            {
                "data": write_symbols(Path(tmp), args.symbols, args.bars, seed=3),
                "strategy": {"name": "sma_cross",
                             "params": {"fast": 5, "slow": 20, "quantity": 10}},
                "execution": {"cash": 10_000_000},
                "risk": {"max_position_pct": 0.5},
            }
        )  # fmt: skip
        out = Path(tmp) / "run"
        result = run_paper(config, speed=0, out_dir=out)
        summary = pd.read_json(out / "latency.json").T
    print(summary.to_string(float_format=lambda v: f"{v:,.1f}"))
    stage = summary.loc["event_to_submit"]
    print(
        f"latency_event_to_submit_p50_us={stage['p50_us']:.1f} p99_us={stage['p99_us']:.1f} "
        f"orders={len(result.orders)} events={args.symbols * args.bars}"
    )


if __name__ == "__main__":
    main()
