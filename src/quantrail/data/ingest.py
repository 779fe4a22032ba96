"""Live ingestion: a feed's trades (and the bars built from them) into a database.

Typical use::

    sink = open_trade_sink("duckdb:///ticks.duckdb")      # or postgresql://...?schema=live
    ingestor = Ingestor(trades=sink, policy=BatchPolicy(max_delay_s=0.005))
    await feed.subscribe(["AAPL", "MSFT"])
    async with feed:
        counters = await ingestor.run(feed.events())         # until the feed ends

Rows are committed in batches by a worker thread (one for trades, one for bars), so the event
loop keeps reading the socket while a transaction is in flight. A batch is committed when its
oldest row has waited ``max_delay_s`` or when it holds ``max_rows`` rows, whichever comes
first; rows that arrive during a commit form the next batch. docs/benchmarks.md ("Live
ingestion") has the measured throughput, latency and batching trade-off.

A live process should call ``gc.freeze()`` once its imports are done: a full collection of
the ~130,000 objects quantrail, pandas and the drivers leave behind takes about 50 ms, which
otherwise shows up as the p99 latency.

The trade table is an append-only log without a key: the feed has already removed duplicates
and ordered each symbol's trades, and a unique index would slow every insert. A restarted
ingestion whose backfill overlaps stored rows therefore stores them again; de-duplicate on
``(symbol, trade_id)`` when reading such a span.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

import duckdb
import numpy as np
import psycopg
from psycopg import sql

from quantrail.core.bar import Bar
from quantrail.core.errors import ConfigError, DataError
from quantrail.core.ports import Clock
from quantrail.data.feeds.events import FeedEvent, Trade
from quantrail.data.frame import BarFrame
from quantrail.data.store import BarStore, redact_url
from quantrail.data.store._pgschema import split_postgres_url
from quantrail.data.store.duckdb_store import duckdb_path
from quantrail.runtime.clock import LiveClock

__all__ = [
    "TRADE_COLUMNS",
    "TRADE_TABLE",
    "BatchPolicy",
    "CommitFn",
    "DuckDBTradeSink",
    "IngestCounters",
    "Ingestor",
    "PostgresTradeSink",
    "TradeSink",
    "bar_frames",
    "open_trade_sink",
]

TRADE_TABLE = "trades"
"""Name of the trade table (in the DuckDB file, or in the PostgreSQL schema)."""

TRADE_COLUMNS = ("symbol", "ts_ns", "price", "size", "trade_id")
"""Columns of the trade table, in order: the fields of :class:`~quantrail.data.feeds.Trade`."""

_DUCKDB_DDL = f"""
CREATE TABLE IF NOT EXISTS {TRADE_TABLE} (
    symbol VARCHAR NOT NULL,
    ts_ns BIGINT NOT NULL,
    price DOUBLE NOT NULL,
    size DOUBLE NOT NULL,
    trade_id VARCHAR
)
"""
# The batch travels as five list parameters in a single call. Each call into DuckDB lets go
# of the GIL and must win it back from a busy event loop (up to the interpreter's switch
# interval, 5 ms, each time): one call instead of register/begin/insert/commit/unregister
# made a commit under a busy loop 3-4 times faster (docs/benchmarks.md, "Live ingestion").
_DUCKDB_INSERT = f"""
INSERT INTO {TRADE_TABLE}
SELECT unnest($1::VARCHAR[]), unnest($2::BIGINT[]), unnest($3::DOUBLE[]),
       unnest($4::DOUBLE[]), unnest($5::VARCHAR[])
"""


class TradeSink(Protocol):
    """Where trades are appended: one transaction per :meth:`write`.

    Open one with :func:`open_trade_sink`.
    """

    url: str

    def write(self, trades: Sequence[Trade]) -> int:
        """Append ``trades`` in one committed transaction; return how many rows were written.

        Raises
        ------
        DataError
            The database refused the write; nothing of ``trades`` is stored.
        """
        ...

    def count(self) -> int:
        """Rows stored in the trade table."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class _SinkBase:
    def close(self) -> None:  # pragma: no cover - every sink overrides it
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class DuckDBTradeSink(_SinkBase):
    """Trades appended to a DuckDB file.

    A write is one autocommitted ``INSERT ... SELECT unnest(...)`` of the batch's five columns
    passed as list parameters: one call into DuckDB. About 0.8 ms for 1-10 rows and 3 ms for
    1,000 on the benchmark machine, nearly all of it CPU (DuckDB's commit, not a disk wait),
    which is what batching amortises. An Arrow table registered and inserted in an explicit
    transaction is faster from about 500 rows up when the process is otherwise idle, but
    makes five calls, and next to a busy Python thread each call waits for the GIL: a
    1,000-row commit then took 87-99 ms instead of 20-27 ms (docs/benchmarks.md, "Live
    ingestion").

    Parameters
    ----------
    url : str
        ``duckdb:///relative/path.duckdb``, ``duckdb:////absolute/path.duckdb`` or
        ``duckdb:///:memory:``.
    base_dir : Path, optional
        Directory a relative path is resolved against (default: the working directory).
    """

    def __init__(self, url: str, *, base_dir: Path | None = None) -> None:
        self.url = url
        self.path = duckdb_path(url, base_dir)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.Error as exc:
            raise DataError(f"cannot open the trade store: {exc}", source=url) from exc
        try:
            self._con.execute(_DUCKDB_DDL)
        except duckdb.Error as exc:
            self._con.close()
            raise DataError(f"cannot set up the trade table: {exc}", source=url) from exc

    def write(self, trades: Sequence[Trade]) -> int:
        """Append ``trades`` in one transaction; see :meth:`TradeSink.write`."""
        if not trades:
            return 0
        columns = [
            [t.symbol for t in trades],
            [t.ts_ns for t in trades],
            [t.price for t in trades],
            [t.size for t in trades],
            [t.trade_id for t in trades],
        ]
        try:
            # One autocommitted statement is one transaction. The result is read to the end:
            # DuckDB refuses new work on a connection with a partly read result.
            self._con.execute(_DUCKDB_INSERT, columns).fetchall()
        except duckdb.Error as exc:
            raise DataError(f"writing {len(trades)} trades failed: {exc}", source=self.url) from exc
        return len(trades)

    def count(self) -> int:
        """Rows stored in the trade table."""
        rows = self._con.execute(f"SELECT count(*) FROM {TRADE_TABLE}").fetchall()
        return int(rows[0][0])

    def close(self) -> None:
        """Close the connection (and release the file lock)."""
        self._con.close()


class PostgresTradeSink(_SinkBase):
    """Trades appended to ``SCHEMA.trades`` in PostgreSQL with ``COPY FROM STDIN``.

    ``COPY`` rather than ``executemany(INSERT ...)``: equal for a handful of rows, 3 times
    faster at 100 rows and 5-7 times from 1,000 up (docs/benchmarks.md, "Live ingestion").
    The COPY runs on an autocommit connection, so it is its own transaction without BEGIN and
    COMMIT round trips. The server's ``synchronous_commit`` (on by default) is kept: a
    committed row survives a crash.

    Parameters
    ----------
    url : str
        ``postgresql://user[:password]@host:port/db[?schema=NAME]``; the schema (default
        ``quantrail``) and its ``trades`` table are created if missing.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        conninfo, self.schema = split_postgres_url(url)
        self._table = sql.Identifier(self.schema, TRADE_TABLE)
        source = redact_url(url)
        try:
            self._conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise DataError(f"cannot connect to the trade store: {exc}", source=source) from exc
        try:
            with self._conn.transaction():
                self._conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
                )
                self._conn.execute(
                    sql.SQL(
                        'CREATE TABLE IF NOT EXISTS {} (symbol text COLLATE "C" NOT NULL, '
                        "ts_ns bigint NOT NULL, price float8 NOT NULL, size float8 NOT NULL, "
                        "trade_id text)"
                    ).format(self._table)
                )
        except psycopg.Error as exc:
            self._conn.close()
            raise DataError(
                f"cannot set up the trade table in schema {self.schema!r}: {exc}", source=source
            ) from exc
        self._copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            self._table, sql.SQL(", ").join(map(sql.Identifier, TRADE_COLUMNS))
        )

    @property
    def backend_pid(self) -> int:
        """Process id of the server backend serving this connection (for monitoring)."""
        return int(self._conn.info.backend_pid)

    def write(self, trades: Sequence[Trade]) -> int:
        """Append ``trades`` in one transaction; see :meth:`TradeSink.write`."""
        if not trades:
            return 0
        try:
            # One COPY on an autocommit connection is one transaction: no BEGIN and COMMIT
            # round trips, each of which would have to win the GIL back from a busy loop.
            with self._conn.cursor() as cur, cur.copy(self._copy) as cp:
                for t in trades:
                    cp.write_row((t.symbol, t.ts_ns, t.price, t.size, t.trade_id))
        except psycopg.Error as exc:
            raise DataError(
                f"writing {len(trades)} trades failed: {exc}", source=redact_url(self.url)
            ) from exc
        return len(trades)

    def count(self) -> int:
        """Rows stored in the trade table."""
        row = self._conn.execute(sql.SQL("SELECT count(*) FROM {}").format(self._table)).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


def open_trade_sink(url: str, *, base_dir: Path | None = None) -> TradeSink:
    """Open (creating if needed) the trade table at ``url``.

    Parameters
    ----------
    url : str
        A DuckDB or PostgreSQL URL, as for :func:`quantrail.data.store.open_store`.
    base_dir : Path, optional
        Directory a relative DuckDB path is resolved against.

    Raises
    ------
    ConfigError
        The scheme is neither ``duckdb`` nor ``postgresql``/``postgres``, or the URL is
        malformed.
    DataError
        The database cannot be opened or reached.
    """
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "duckdb":
        return DuckDBTradeSink(url, base_dir=base_dir)
    if scheme in ("postgresql", "postgres"):
        return PostgresTradeSink(url)
    raise ConfigError(
        f"unsupported trade store URL {redact_url(url)!r}: use duckdb:///path.duckdb or "
        "postgresql://user@host:port/db[?schema=NAME]"
    )


def bar_frames(bars: Iterable[Bar], source: str) -> list[BarFrame]:
    """Group bars by symbol and length (``ts - ts_open``) into frames for ``BarStore.write``.

    Bars keep their order within a group; groups come in order of first appearance.
    """
    groups: dict[tuple[str, int], list[Bar]] = {}
    for bar in bars:
        groups.setdefault((bar.symbol, bar.ts - bar.ts_open), []).append(bar)
    frames = []
    for (symbol, frequency_ns), group in groups.items():

        def column(name: str, dtype: type, rows: list[Bar] = group) -> np.ndarray:
            return np.array([getattr(b, name) for b in rows], dtype=dtype)

        floats = ("open", "high", "low", "close", "volume", "bid", "ask")
        frames.append(
            BarFrame(
                symbol=symbol,
                frequency_ns=frequency_ns,
                source=source,
                ts=column("ts", np.int64),
                ts_open=column("ts_open", np.int64),
                **{name: column(name, np.float64) for name in floats},
                session=column("session", np.int64),
                row_numbers=np.arange(1, len(group) + 1, dtype=np.int64),
            )
        )
    return frames


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """When the :class:`Ingestor` commits.

    Attributes
    ----------
    max_delay_s : float
        Commit at the latest this long after the oldest waiting row arrived (0: as soon as
        the previous commit is done). Rows arriving while a commit is in flight wait for it
        whatever this is, so the batch size adapts to the load.
    max_rows : int
        Commit at once when this many rows wait, and never put more in one transaction (a
        backlog is worked off in batches of this size).
    """

    max_delay_s: float = 0.005
    max_rows: int = 5_000

    def __post_init__(self) -> None:
        if not (math.isfinite(self.max_delay_s) and self.max_delay_s >= 0):
            raise ValueError(f"max_delay_s must be a finite number >= 0, got {self.max_delay_s}")
        if self.max_rows < 1:
            raise ValueError(f"max_rows must be >= 1, got {self.max_rows}")


@dataclass(slots=True)
class IngestCounters:
    """What an :class:`Ingestor` did so far; every field only grows.

    Attributes
    ----------
    trades_received, bars_received : int
        Events taken from the feed for a configured destination (quotes are not stored).
    trades_committed, bars_committed : int
        Rows in committed transactions (bars: inserted or skipped by the bar store).
    trade_batches, bar_batches : int
        Trade-sink commits; bar batches (each is one ``BarStore.write`` per series in it).
    largest_batch : int
        Most rows in one batch.
    write_seconds : float
        Wall time spent in writes (worker threads), summed.
    """

    trades_received: int = 0
    bars_received: int = 0
    trades_committed: int = 0
    bars_committed: int = 0
    trade_batches: int = 0
    bar_batches: int = 0
    largest_batch: int = 0
    write_seconds: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """The counters as a plain dict (for logging and metrics exporters)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


CommitFn = Callable[[Sequence[Trade], Sequence[Bar], int], None]
"""``on_commit(trades, bars, commit_ns)``: called on the event loop after each batch is
committed (one of the two is empty); ``commit_ns`` is the clock read by the worker thread as
the commit returned."""

R = TypeVar("R")


class _Lane(Generic[R]):
    """One kind of row: its waiting rows, its commit policy and its worker thread."""

    def __init__(
        self,
        name: str,
        policy: BatchPolicy,
        clock: Clock,
        write: Callable[[list[R]], object],
        committed: Callable[[list[R], float, int], None],
    ) -> None:
        self._name = name
        self._clock = clock
        self._policy = policy
        self._write = write
        self._committed = committed
        self._rows: list[R] = []
        self._arrived: list[float] = []  # monotonic time each waiting row arrived
        self._wake = asyncio.Event()
        self._full = asyncio.Event()
        self._ended = False

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, row: R) -> None:
        self._rows.append(row)
        self._arrived.append(time.monotonic())
        if len(self._rows) == 1:
            self._wake.set()
        if len(self._rows) >= self._policy.max_rows:
            self._full.set()

    def end(self) -> None:
        """No more rows will come: commit what waits, then stop."""
        self._ended = True
        self._wake.set()
        self._full.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        limit = self._policy.max_rows
        # One thread per lane: a sink is only ever used from it, one write at a time. Leaving
        # the block waits for a write in flight, so the caller may close the sink afterwards.
        with ThreadPoolExecutor(1, thread_name_prefix=f"quantrail-ingest-{self._name}") as pool:
            while True:
                if not self._rows:
                    if self._ended:
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                wait = self._arrived[0] + self._policy.max_delay_s - time.monotonic()
                if wait > 0 and not self._ended and len(self._rows) < limit:
                    self._full.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._full.wait(), wait)
                batch, self._rows = self._rows[:limit], self._rows[limit:]
                del self._arrived[:limit]
                started = time.monotonic()
                commit_ns = await loop.run_in_executor(pool, self._write_stamped, batch)
                self._committed(batch, time.monotonic() - started, commit_ns)

    def _write_stamped(self, batch: list[R]) -> int:
        """Write on the worker thread; the commit time is read there, as the write returns."""
        self._write(batch)
        return self._clock.now_ns()


class Ingestor:
    """Writes the trades of a feed to a :class:`TradeSink` and its bars to a ``BarStore``.

    Parameters
    ----------
    trades : TradeSink, optional
        Where trades go; without it trades are ignored.
    bars : BarStore, optional
        Where bars (from a feed with a ``bar_builder``) go, one ``write`` per symbol and bar
        length in a batch; without it bars are ignored.
    policy : BatchPolicy
        When to commit (trades and bars alike, each on its own).
    clock : Clock, optional
        Stamps commits for ``on_commit`` (default: the wall clock).
    on_commit : callable, optional
        See :data:`CommitFn`; used by monitoring and the benchmark to measure latency.
    bar_source : str
        ``source`` recorded with stored bars.

    Notes
    -----
    Trades and bars are written by two worker threads (one per destination, each used from
    that thread only), so a slow bar write never holds trades back. A failed write stops
    :meth:`run` with the sink's :class:`~quantrail.core.errors.DataError`; rows of that batch
    and later ones are not stored. Trades and bars are separate transactions.
    """

    def __init__(
        self,
        *,
        trades: TradeSink | None = None,
        bars: BarStore | None = None,
        policy: BatchPolicy | None = None,
        clock: Clock | None = None,
        on_commit: CommitFn | None = None,
        bar_source: str = "live",
    ) -> None:
        self.policy = policy or BatchPolicy()
        self.counters = IngestCounters()
        self._clock: Clock = clock or LiveClock()
        self._on_commit = on_commit
        self._trades: _Lane[Trade] | None = None
        self._bars: _Lane[Bar] | None = None
        if trades is not None:
            self._trades = _Lane(
                "trades", self.policy, self._clock, trades.write, self._trades_committed
            )
        if bars is not None:
            store = bars

            def write_bars(rows: list[Bar]) -> None:
                for frame in bar_frames(rows, bar_source):
                    store.write(frame)

            self._bars = _Lane("bars", self.policy, self._clock, write_bars, self._bars_committed)

    @property
    def pending(self) -> int:
        """Rows received and not yet handed to a write."""
        return sum(len(lane) for lane in (self._trades, self._bars) if lane is not None)

    def add(self, event: FeedEvent) -> None:
        """Queue one event (quotes, and kinds without a destination, are ignored).

        Call from the event loop that runs :meth:`run`.
        """
        if isinstance(event, Trade):
            if self._trades is not None:
                self._trades.add(event)
                self.counters.trades_received += 1
        elif isinstance(event, Bar) and self._bars is not None:
            self._bars.add(event)
            self.counters.bars_received += 1

    async def run(self, events: AsyncIterator[FeedEvent]) -> IngestCounters:
        """Store ``events`` until they end; commit what is left; return the counters.

        Raises
        ------
        DataError
            A write failed (see the class notes).
        Exception
            The feed's own error, when iterating ``events`` raised it.
        """
        lanes = [lane for lane in (self._trades, self._bars) if lane is not None]
        writers = [asyncio.create_task(lane.run()) for lane in lanes]
        reader = asyncio.create_task(self._read(events, lanes))
        tasks = [reader, *writers]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for writer in writers:
                if writer.done():  # a writer only ends early when its write failed
                    writer.result()
            await asyncio.gather(*writers)  # reader ended: commit what is left
            reader.result()  # the feed's own error, if it stopped on one
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return self.counters

    async def _read(self, events: AsyncIterator[FeedEvent], lanes: list[_Lane[Any]]) -> None:
        try:
            async for event in events:
                self.add(event)
        finally:
            for lane in lanes:
                lane.end()

    def _done(self, n: int, seconds: float) -> None:
        counters = self.counters
        counters.write_seconds += seconds
        counters.largest_batch = max(counters.largest_batch, n)

    def _trades_committed(self, batch: list[Trade], seconds: float, commit_ns: int) -> None:
        self._done(len(batch), seconds)
        self.counters.trades_committed += len(batch)
        self.counters.trade_batches += 1
        if self._on_commit is not None:
            self._on_commit(batch, (), commit_ns)

    def _bars_committed(self, batch: list[Bar], seconds: float, commit_ns: int) -> None:
        self._done(len(batch), seconds)
        self.counters.bars_committed += len(batch)
        self.counters.bar_batches += 1
        if self._on_commit is not None:
            self._on_commit((), batch, commit_ns)
