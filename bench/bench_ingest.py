"""Live ingestion throughput and latency: emulator -> websocket -> feed -> batched DB commits.

A child process runs ``quantrail.emulator.VenueEmulator`` on 127.0.0.1 and pushes trades at
an offered rate (spread over the symbols, paced on its event loop, each stamped with the
emulator's wall clock when pushed, in UTC ns). This process reads them with the project's
Alpaca feed client (``AlpacaTradeFeed``: ``websockets`` JSON frames, ``parse_alpaca``, the
``ResilientFeed`` pipeline) and stores them with ``quantrail.data.ingest.Ingestor``, which
commits batches to DuckDB or PostgreSQL from worker threads. The latency of a trade is the
wall clock right after its batch's commit returned minus its emulator timestamp. Both
processes read the same clock (``time.time_ns``) on the same machine.

Series (each bounded in time; the whole bench takes about three minutes):

* ``ingest``: the headline, per back-end and offered rate, over the websocket. The ``null``
  back-end stores nothing (the feed client's own ceiling).
* ``ingest_batching``: the commit policy (``max_delay_s``) swept at one rate.
* ``ingest_inproc``: trades made in this process and handed straight to the ingestor (no
  emulator, socket or parsing): the store's own ceiling.
* ``ingest_bars``: trades -> BarBuilder (1 s bars) -> ``BarStore.write``, next to the trades.
* ``ingest_sink``: one transaction of N trades: DuckDB's list-parameter insert vs an Arrow
  table vs executemany, PostgreSQL COPY vs executemany; also next to a busy Python thread.
* ``ingest_pipeline``: CPU per trade in the feed's pipeline by number of symbols.

Machine-readable lines look like::

    ingest backend=duckdb offered=20000 sustained=N p50_ms=X p99_ms=Y sent=... committed=...

PostgreSQL comes from ``QUANTRAIL_BENCH_POSTGRES_URL`` (default: the local server); each run
gets its own schema, all dropped at the end; when unreachable, one line says ``skipped``.
Both processes call ``gc.freeze()`` after start-up (``--no-gc-freeze`` to compare).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import multiprocessing as mp
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Self

import duckdb
import numpy as np
import psycopg
import pyarrow as pa
from psycopg import sql

from quantrail.core.bar import Bar
from quantrail.data.feeds import (
    BarBuilder,
    FeedCounters,
    FeedEvent,
    FeedPipeline,
    FeedSettings,
    Trade,
)
from quantrail.data.feeds.alpaca_feed import AlpacaTradeFeed
from quantrail.data.ingest import (
    TRADE_COLUMNS,
    BatchPolicy,
    DuckDBTradeSink,
    Ingestor,
    PostgresTradeSink,
    TradeSink,
    open_trade_sink,
)
from quantrail.data.store import BarStore, open_store
from quantrail.emulator import VenueEmulator

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
RATES = (500, 1_200, 5_000, 20_000, 50_000)
DELAYS_MS = (0.0, 1.0, 5.0, 20.0, 50.0)
S = 1_000_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the emulator process --------------------------------------------------------------------


def emulator_process(conn: Connection, freeze: bool) -> None:
    """Child entry point: serve an emulator and offer trades when asked."""
    if freeze:
        gc.freeze()  # the venue's collector pauses are not ours to measure
    try:
        asyncio.run(_serve(conn))
    finally:
        gc.unfreeze()


async def _serve(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    async with VenueEmulator() as emu:
        conn.send(emu.alpaca_stream_url)
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "stop":
                break
            _, rate, duration, symbols, send_timeout = command
            conn.send(await _offer(emu, rate, duration, symbols, send_timeout))


async def _offer(
    emu: VenueEmulator, rate: float, duration: float, symbols: list[str], send_timeout: float
) -> dict[str, float]:
    """Push ``rate * duration`` trades, paced, round-robin over ``symbols``; report."""
    loop = asyncio.get_running_loop()
    for symbol in symbols:
        await emu.wait_for_subscribers(symbol, venue="alpaca", timeout=10.0)
    base = emu.stats.messages_sent
    total = round(rate * duration)
    k = len(symbols)
    cpu0 = time.process_time()
    start_ns = time.time_ns()
    t0 = loop.time()
    pushed = 0
    while pushed < total:
        due = min(total, int((loop.time() - t0) * rate) + 1)
        while pushed < due:
            # ts_ns=None: stamped with the emulator's clock now, as it queues the message.
            await emu.push_trade(symbols[pushed % k], 100.0 + (pushed % 1000) / 100, 1.0)
            pushed += 1
        await asyncio.sleep(max(0.0, t0 + pushed / rate - loop.time()))
    push_end_ns = time.time_ns()
    deadline = loop.time() + send_timeout
    while emu.stats.messages_sent - base < total and loop.time() < deadline:
        await asyncio.sleep(0.002)
    return {
        "pushed": total,
        "sent": emu.stats.messages_sent - base,
        "start_ns": start_ns,
        "push_end_ns": push_end_ns,
        "send_end_ns": time.time_ns(),
        "cpu_s": time.process_time() - cpu0,
    }


class Emulator:
    """The emulator child process and its command pipe."""

    def __init__(self, freeze: bool = True) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=emulator_process, args=(child, freeze), daemon=True)
        self._proc.start()
        deadline = time.monotonic() + 30
        while not self._conn.poll(0.1):
            if not self._proc.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator process did not start")
        self.url: str = self._conn.recv()

    def offer(
        self, rate: float, duration: float, symbols: list[str], send_timeout: float
    ) -> dict[str, float]:
        self._conn.send(("offer", rate, duration, symbols, send_timeout))
        if not self._conn.poll(duration + send_timeout + 30):
            raise RuntimeError("the emulator did not answer")
        result: dict[str, float] = self._conn.recv()
        return result

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(("stop",))
        self._proc.join(10)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# --- back-ends -------------------------------------------------------------------------------


class NullSink:
    """A sink that stores nothing: the feed client's and the batching's own cost."""

    url = "null://"

    def write(self, trades: Sequence[Trade]) -> int:
        return len(trades)

    def count(self) -> int:
        return 0

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Backends:
    """Fresh stores per run: a new DuckDB file, or a new PostgreSQL schema (dropped at exit)."""

    tmp: Path
    pg_server: str | None
    schemas: list[str] = field(default_factory=list)
    n: int = 0

    @property
    def databases(self) -> list[str]:
        return ["duckdb"] + (["postgres"] if self.pg_server else [])

    def url(self, backend: str) -> str:
        self.n += 1
        if backend == "duckdb":
            return f"duckdb:///{self.tmp / f'run{self.n}.duckdb'}"
        assert self.pg_server is not None
        schema = f"quantrail_bench_ingest_{secrets.token_hex(4)}"
        self.schemas.append(schema)
        sep = "&" if "?" in self.pg_server else "?"
        return f"{self.pg_server}{sep}schema={schema}"

    def sink(self, backend: str) -> TradeSink:
        return NullSink() if backend == "null" else open_trade_sink(self.url(backend))

    def drop(self) -> None:
        if self.pg_server is None or not self.schemas:
            return
        with psycopg.connect(self.pg_server, autocommit=True) as conn:
            for schema in self.schemas:
                drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                conn.execute(drop.format(sql.Identifier(schema)))


def proc_cpu_s(pid: int | None) -> float:
    """User + system CPU seconds of another process (the PostgreSQL backend), 0 if unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# --- measuring -------------------------------------------------------------------------------


class Latencies:
    """``on_commit`` hook: commit time minus each row's timestamp."""

    def __init__(self) -> None:
        self.trade_ns: list[int] = []
        self.bar_ns: list[int] = []
        self.last_commit_ns = 0
        self.batch_sizes: list[int] = []

    def __call__(self, trades: Sequence[Trade], bars: Sequence[Bar], commit_ns: int) -> None:
        if trades:
            self.trade_ns.extend([commit_ns - t.ts_ns for t in trades])
            self.last_commit_ns = commit_ns
            self.batch_sizes.append(len(trades))
        self.bar_ns.extend([commit_ns - b.ts for b in bars])


def pct_ms(values: list[int], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.int64), q)) / 1e6 if values else 0.0


@dataclass
class Result:
    backend: str
    offered: float
    duration: float
    pushed: int
    sent: int
    committed: int
    sustained: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    batches: int
    mean_batch: float
    client_cpu: float
    emulator_cpu: float
    pg_cpu: float
    emu_rate: float
    extra: dict[str, str] = field(default_factory=dict)

    def line(self, prefix: str = "ingest") -> str:
        text = (
            f"{prefix} backend={self.backend} offered={self.offered:.0f} "
            f"sustained={self.sustained:.0f} p50_ms={self.p50_ms:.1f} p99_ms={self.p99_ms:.1f}"
        )
        text += (
            f" max_ms={self.max_ms:.1f} sent={self.sent} committed={self.committed}"
            f" emu_rate={self.emu_rate:.0f} batches={self.batches}"
            f" mean_batch={self.mean_batch:.1f} cpu_client={self.client_cpu:.0%}"
            f" cpu_emulator={self.emulator_cpu:.0%} cpu_pg={self.pg_cpu:.0%}"
        )
        return text + "".join(f" {k}={v}" for k, v in self.extra.items())


def summarise(
    backend: str,
    offered: float,
    duration: float,
    offer: dict[str, float],
    lat: Latencies,
    cpu: tuple[float, float, float],
    wall_s: float,
) -> Result:
    start_ns = int(offer["start_ns"])
    span = (lat.last_commit_ns - start_ns) / S if lat.last_commit_ns else 0.0
    send_span = (offer["send_end_ns"] - start_ns) / S
    trade_ns = lat.trade_ns
    committed = len(trade_ns)
    return Result(
        backend=backend,
        offered=offered,
        duration=duration,
        pushed=int(offer["pushed"]),
        sent=int(offer["sent"]),
        committed=committed,
        sustained=committed / span if span > 0 else 0.0,
        p50_ms=pct_ms(trade_ns, 50),
        p99_ms=pct_ms(trade_ns, 99),
        max_ms=max(trade_ns) / 1e6 if trade_ns else 0.0,
        batches=len(lat.batch_sizes),
        mean_batch=float(np.mean(lat.batch_sizes)) if lat.batch_sizes else 0.0,
        client_cpu=cpu[0] / wall_s,
        emulator_cpu=offer["cpu_s"] / send_span if send_span > 0 else 0.0,
        pg_cpu=cpu[2] / wall_s,
        emu_rate=offer["sent"] / send_span if send_span > 0 else 0.0,
    )


async def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.005)
    return True


def symbols_for(n: int) -> list[str]:
    return [f"S{i:03d}" for i in range(n)]


# --- one run over the websocket --------------------------------------------------------------


@dataclass(frozen=True)
class WsRun:
    backend: str
    rate: float
    duration: float
    policy: BatchPolicy
    symbols: int = 10
    bar_interval_s: float | None = None  # also build bars and store them
    drain_s: float = 8.0


async def ws_run(emu: Emulator, run: WsRun, stores: Backends) -> Result:
    symbols = symbols_for(run.symbols)
    sink = stores.sink(run.backend)
    bar_store: BarStore | None = None
    builder = None
    if run.bar_interval_s is not None:
        builder = BarBuilder(int(run.bar_interval_s * S))
        bar_store = open_store(stores.url(run.backend))
    pg_pid = getattr(sink, "backend_pid", None)
    lat = Latencies()
    ingestor = Ingestor(trades=sink, bars=bar_store, policy=run.policy, on_commit=lat)
    feed = AlpacaTradeFeed(
        "key",
        "secret",
        stream_url=emu.url,
        rest_url=emu.url.replace("ws://", "http://").rsplit("/v2", 1)[0],
        settings=FeedSettings(stale_after_s=None),
        bar_builder=builder,
    )
    loop = asyncio.get_running_loop()
    cpu0, pg0, wall0 = time.process_time(), proc_cpu_s(pg_pid), time.perf_counter()
    try:
        await feed.subscribe(symbols)
        async with feed:
            task = asyncio.create_task(ingestor.run(feed.events()))
            send_timeout = run.duration + run.drain_s
            offer = await loop.run_in_executor(
                None, emu.offer, run.rate, run.duration, symbols, send_timeout
            )
            await wait_until(
                lambda: ingestor.counters.trades_committed >= offer["sent"], run.drain_s
            )
        await task
        wall = time.perf_counter() - wall0
        cpu = (time.process_time() - cpu0, 0.0, proc_cpu_s(pg_pid) - pg0)
    finally:
        sink.close()
        if bar_store is not None:
            bar_store.close()
    result = summarise(run.backend, run.rate, run.duration, offer, lat, cpu, wall)
    if run.bar_interval_s is not None:
        result.extra.update(
            bars=str(len(lat.bar_ns)),
            bar_p50_ms=f"{pct_ms(lat.bar_ns, 50):.1f}",
            bar_p99_ms=f"{pct_ms(lat.bar_ns, 99):.1f}",
        )
    return result


# --- in-process: the store alone -------------------------------------------------------------


async def paced_trades(rate: float, duration: float, symbols: list[str]) -> AsyncIterator[Trade]:
    """Trades stamped now, at ``rate`` per second, as the emulator paces them."""
    loop = asyncio.get_running_loop()
    total, k = round(rate * duration), len(symbols)
    t0 = loop.time()
    made = 0
    while made < total:
        due = min(total, int((loop.time() - t0) * rate) + 1)
        while made < due:
            yield Trade(symbols[made % k], time.time_ns(), 100.0, 1.0, str(made))
            made += 1
        await asyncio.sleep(max(0.0, t0 + made / rate - loop.time()))


async def inproc_run(
    backend: str, rate: float, duration: float, policy: BatchPolicy, stores: Backends
) -> Result:
    sink = stores.sink(backend)
    pg_pid = getattr(sink, "backend_pid", None)
    lat = Latencies()
    ingestor = Ingestor(trades=sink, policy=policy, on_commit=lat)
    cpu0, pg0, wall0 = time.process_time(), proc_cpu_s(pg_pid), time.perf_counter()
    start_ns = time.time_ns()

    async def events() -> AsyncIterator[FeedEvent]:
        async for trade in paced_trades(rate, duration, symbols_for(10)):
            yield trade

    try:
        await ingestor.run(events())
        wall = time.perf_counter() - wall0
        pg_cpu = proc_cpu_s(pg_pid) - pg0
    finally:
        sink.close()
    n = round(rate * duration)
    offer = {"pushed": n, "sent": n, "start_ns": start_ns, "cpu_s": 0.0}
    offer["send_end_ns"] = start_ns + duration * S
    cpu = (time.process_time() - cpu0, 0.0, pg_cpu)
    return summarise(backend, rate, duration, offer, lat, cpu, wall)


# --- one transaction of N trades -------------------------------------------------------------


class BusyThread:
    """A pure-Python loop on another thread, as a busy event loop would hold the GIL."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self.spins = 0

    def _spin(self) -> None:
        while not self._stop.is_set():
            for _ in range(1_000):
                self.spins += 1

    def __enter__(self) -> Self:
        self._thread.start()
        time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def sink_methods(
    stack: contextlib.ExitStack, sink: TradeSink, stores: Backends, trades: list[Trade]
) -> dict[str, Callable[[], object]]:
    """The sink's own write, and the alternatives it was chosen over."""
    rows = [(t.symbol, t.ts_ns, t.price, t.size, t.trade_id) for t in trades]

    def own() -> None:
        sink.write(trades)

    methods: dict[str, Callable[[], object]] = {}
    if isinstance(sink, DuckDBTradeSink):
        con = stack.enter_context(duckdb.connect(sink.path))  # the same database instance
        methods["unnest"] = own

        def arrow() -> None:  # register an Arrow table, INSERT ... SELECT in a transaction
            table = pa.table({c: [getattr(t, c) for t in trades] for c in TRADE_COLUMNS})
            con.register("incoming", table)
            con.begin()
            con.execute("INSERT INTO trades SELECT * FROM incoming").fetchall()
            con.commit()
            con.unregister("incoming")

        def duck_many() -> None:
            con.begin()
            con.executemany("INSERT INTO trades VALUES (?, ?, ?, ?, ?)", rows)
            con.commit()

        methods["arrow"] = arrow
        if len(trades) <= 100:  # 10 rows/ms: larger batches only take time to say so
            methods["executemany"] = duck_many
    if isinstance(sink, PostgresTradeSink):
        assert stores.pg_server is not None
        conn = stack.enter_context(psycopg.connect(stores.pg_server, autocommit=True))
        insert = sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s)").format(
            sql.Identifier(sink.schema, "trades")
        )
        methods["copy"] = own

        def pg_many() -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(insert, rows)

        methods["executemany"] = pg_many
    return methods


def sink_series(stores: Backends) -> Iterator[str]:
    """Cost of one commit by batch size; for 100 and 1,000 rows also next to a busy thread."""
    t0 = 1_700_000_000 * S
    for n in (1, 10, 100, 1_000, 10_000):
        trades = [Trade("AAPL", t0 + i, 100.0 + i / 100, 1.0, str(i)) for i in range(n)]
        for backend in stores.databases:
            for busy in (False, True) if n in (100, 1_000) else (False,):
                with contextlib.ExitStack() as stack:
                    sink = stack.enter_context(open_trade_sink(stores.url(backend)))
                    for method, fn in sink_methods(stack, sink, stores, trades).items():
                        fn()  # warm
                        reps = 5 if busy else max(5, min(200, 20_000 // n))
                        with BusyThread() if busy else contextlib.nullcontext():
                            start = time.perf_counter()
                            for _ in range(reps):
                                fn()
                            per = (time.perf_counter() - start) / reps
                        yield (
                            f"ingest_sink backend={backend} method={method} rows={n} "
                            f"busy_thread={'yes' if busy else 'no'} "
                            f"ms_per_commit={per * 1e3:.3f} rows_per_s={n / per:.0f}"
                        )


def pipeline_series() -> Iterator[str]:
    """CPU per trade in the feed's own pipeline (dedupe, ordering) by subscribed symbols."""
    for n_symbols in (1, 10, 100, 1_000):
        pipeline = FeedPipeline(FeedCounters())
        symbols = symbols_for(n_symbols)
        ts = itertools.count(1_700_000_000 * S)
        for symbol in symbols:  # every symbol has state, as on a live feed
            pipeline.on_event(Trade(symbol, next(ts), 1.0, 1.0, None), 0)
        pipeline.drain()
        trades = [Trade(symbols[i % n_symbols], next(ts), 1.0, 1.0, None) for i in range(20_000)]
        start = time.perf_counter()
        for trade in trades:
            pipeline.on_event(trade, 0)
            pipeline.drain()
        per = (time.perf_counter() - start) / len(trades)
        yield (f"ingest_pipeline symbols={n_symbols} us_per_trade={per * 1e6:.1f} "
               f"trades_per_s={1 / per:.0f}")  # fmt: skip


# --- main ------------------------------------------------------------------------------------


def pg_server() -> str | None:
    url = os.environ.get("QUANTRAIL_BENCH_POSTGRES_URL", DEFAULT_PG)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        print(f"ingest backend=postgres skipped ({str(exc).strip().splitlines()[0]})")
        return None
    return url


def parse_list(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x]


async def ws_series(
    args: argparse.Namespace, stores: Backends, emu: Emulator
) -> AsyncIterator[str]:
    """The headline: every back-end (and ``null``) at every offered rate, over the socket."""
    policy = BatchPolicy(max_delay_s=args.max_delay_ms / 1e3, max_rows=args.max_rows)
    print(f"# websocket path: {args.duration:g} s per rate, {args.symbols} symbols, "
          f"{policy}", flush=True)  # fmt: skip
    for backend in ["null", *stores.databases]:
        for rate in parse_list(args.rates):
            run = WsRun(backend, rate, args.duration, policy, args.symbols)
            yield (await ws_run(emu, run, stores)).line()


async def batching_series(
    args: argparse.Namespace, stores: Backends, emu: Emulator
) -> AsyncIterator[str]:
    """``max_delay_s`` swept at one offered rate."""
    for backend in stores.databases:
        for delay in DELAYS_MS:
            policy = BatchPolicy(max_delay_s=delay / 1e3, max_rows=args.max_rows)
            run = WsRun(backend, args.batching_rate, args.short, policy, args.symbols)
            result = await ws_run(emu, run, stores)
            result.extra["max_delay_ms"] = f"{delay:g}"
            result.extra["commits_per_s"] = f"{result.batches / args.short:.0f}"
            yield result.line("ingest_batching")


async def inproc_series(
    args: argparse.Namespace, stores: Backends, emu: Emulator
) -> AsyncIterator[str]:
    """The store alone: trades made in this process, no socket, no parsing."""
    policy = BatchPolicy(max_delay_s=args.max_delay_ms / 1e3, max_rows=args.max_rows)
    for backend in stores.databases:
        for rate in (5_000, 20_000, 50_000, 200_000):
            result = await inproc_run(backend, rate, args.short, policy, stores)
            yield result.line("ingest_inproc")


async def bars_series(
    args: argparse.Namespace, stores: Backends, emu: Emulator
) -> AsyncIterator[str]:
    """Trades and 1 s bars of 20 symbols, both stored."""
    policy = BatchPolicy(max_delay_s=args.max_delay_ms / 1e3, max_rows=args.max_rows)
    for backend in stores.databases:
        run = WsRun(backend, args.batching_rate, args.duration, policy, 20, bar_interval_s=1.0)
        yield (await ws_run(emu, run, stores)).line("ingest_bars")


async def sync_series(lines: Iterator[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def main_async(args: argparse.Namespace, stores: Backends, emu: Emulator) -> None:
    series: dict[str, Callable[[], AsyncIterator[str]]] = {
        "pipeline": lambda: sync_series(pipeline_series()),
        "sink": lambda: sync_series(sink_series(stores)),
        "ws": lambda: ws_series(args, stores, emu),
        "batching": lambda: batching_series(args, stores, emu),
        "inproc": lambda: inproc_series(args, stores, emu),
        "bars": lambda: bars_series(args, stores, emu),
    }
    for name in args.series.split(","):
        async for line in series[name]():
            print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default=",".join(map(str, RATES)))
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per headline rate")
    parser.add_argument("--short", type=float, default=3.0, help="seconds per other run")
    parser.add_argument("--symbols", type=int, default=10)
    parser.add_argument("--max-delay-ms", type=float, default=5.0)
    parser.add_argument("--max-rows", type=int, default=5_000)
    parser.add_argument("--batching-rate", type=float, default=20_000)
    parser.add_argument("--series", default="pipeline,sink,ws,batching,inproc,bars")
    parser.add_argument("--no-gc-freeze", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"# {os.cpu_count()} cpus, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
          f"python {sys.version.split()[0]}, duckdb {duckdb.__version__}, "
          f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__})", flush=True)  # fmt: skip
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, Emulator(not args.no_gc_freeze) as emu:
        stores = Backends(Path(tmp), pg_server())
        if not args.no_gc_freeze:
            # A full collection of this process's ~130,000 objects takes about 50 ms: without
            # this, the collector's pauses are the p99 (see docs/benchmarks.md).
            gc.freeze()
        try:
            asyncio.run(main_async(args, stores, emu))
        finally:
            gc.unfreeze()
            stores.drop()
    print(f"# total {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
