"""Bar-store import throughput: 1,000,000 seeded random-walk minute bars from CSV.

For DuckDB and PostgreSQL it times what ``quantrail data import`` does (load_bars, validate_bars,
open the store, write, close) into an empty store, then the write alone into another empty
store, a re-import of the same bars (all skipped), and reading the series back. PostgreSQL comes
from ``QUANTRAIL_BENCH_POSTGRES_URL`` (default: the local server); it gets its own schema,
dropped at the end, and is reported as skipped when unreachable. Machine-readable lines:

    import_duckdb_rows_per_s=N
    import_postgres_rows_per_s=M
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from quantrail.data import BarFrame, DataConfig, load_bars, validate_bars
from quantrail.data.store import open_store

T = TypeVar("T")
MINUTE_NS = 60 * 10**9


def synthetic_minutes_csv(path: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, n)))
    open_ = np.r_[100.0, close[:-1]]
    spread = np.abs(rng.normal(0.0, 0.0004, n)) * close
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2020-01-01T00:00:00Z", periods=n, freq="1min"),
            "open": open_.round(4),
            "high": (np.maximum(open_, close) + spread).round(4),
            "low": (np.minimum(open_, close) - spread).round(4),
            "close": close.round(4),
            "volume": rng.integers(1_000, 50_000, n).astype(float),
        }
    )
    frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def import_file(cfg: DataConfig, url: str) -> int:
    """What `quantrail data import` does for one file."""
    frame = load_bars(cfg)
    validate_bars(frame).raise_if_fatal()
    with open_store(url) as store:
        return store.write(frame).inserted


def write_only(frame: BarFrame, url: str) -> int:
    with open_store(url) as store:
        return store.write(frame).inserted


def read_back(url: str) -> int:
    with open_store(url, read_only=True) as store:
        return len(store.read("SYN", MINUTE_NS))


def bench_backend(name: str, cfg: DataConfig, frame: BarFrame, urls: tuple[str, str]) -> None:
    n = len(frame)
    fresh, second = urls
    inserted, full = timed(lambda: import_file(cfg, fresh))
    assert inserted == n
    inserted, write_s = timed(lambda: write_only(frame, second))
    assert inserted == n
    inserted, again_s = timed(lambda: write_only(frame, second))
    assert inserted == 0
    rows, read_s = timed(lambda: read_back(second))
    assert rows == n
    print(f"{name}: import {full:.2f} s, write {write_s:.2f} s, re-import (all skipped) "
          f"{again_s:.2f} s, read {read_s:.2f} s")  # fmt: skip
    print(f"import_{name}_rows_per_s={n / full:.0f}")
    print(f"write_{name}_rows_per_s={n / write_s:.0f}")
    print(f"reimport_{name}_rows_per_s={n / again_s:.0f}")
    print(f"read_{name}_rows_per_s={n / read_s:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    server = os.environ.get(
        "QUANTRAIL_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "minutes.csv"
        synthetic_minutes_csv(path, args.rows, args.seed)
        cfg = DataConfig(symbol="SYN", path=path, frequency="1min", asset_class="crypto")
        frame, load_s = timed(lambda: load_bars(cfg))
        report, validate_s = timed(lambda: validate_bars(frame))
        report.raise_if_fatal()
        size_mb = path.stat().st_size / 1e6
        print(f"{len(frame)} bars, {size_mb:.0f} MB CSV: load_bars {load_s:.2f} s, "
              f"validate_bars {validate_s:.2f} s")  # fmt: skip
        duck = (f"duckdb:///{tmp}/a.duckdb", f"duckdb:///{tmp}/b.duckdb")
        bench_backend("duckdb", cfg, frame, duck)
        try:
            psycopg.connect(server, connect_timeout=3).close()
        except psycopg.OperationalError as exc:
            print(f"import_postgres_rows_per_s=skipped ({str(exc).splitlines()[0]})")
            return
        schemas = [f"quantrail_bench_{secrets.token_hex(4)}" for _ in range(2)]
        sep = "&" if "?" in server else "?"
        try:
            urls = (f"{server}{sep}schema={schemas[0]}", f"{server}{sep}schema={schemas[1]}")
            bench_backend("postgres", cfg, frame, urls)
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                for schema in schemas:
                    drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                    conn.execute(drop.format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()
