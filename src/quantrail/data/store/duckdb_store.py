"""The embedded bar store: one DuckDB file.

Bulk writes hand DuckDB the frame's numpy arrays as an Arrow table (no copy, no per-row Python)
and insert with one ``INSERT ... SELECT`` guarded by an anti-join on the primary key.
"""

from __future__ import annotations

import builtins
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from quantrail.core.errors import ConfigError, DataError
from quantrail.data.frame import BarFrame
from quantrail.data.store.base import (
    TABLE,
    VALUE_COLUMNS,
    SeriesInfo,
    StoreBase,
    WriteResult,
    check_unique_keys,
    conflict_error,
    frame_from_columns,
    missing_series_error,
)

__all__ = ["DuckDBStore", "duckdb_path"]

_DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    symbol VARCHAR NOT NULL,
    frequency_ns BIGINT NOT NULL,
    ts_open BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    open DOUBLE NOT NULL,
    high DOUBLE NOT NULL,
    low DOUBLE NOT NULL,
    close DOUBLE NOT NULL,
    volume DOUBLE NOT NULL,
    bid DOUBLE NOT NULL,
    ask DOUBLE NOT NULL,
    session BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    PRIMARY KEY (symbol, frequency_ns, ts_open)
)
"""
_READ_COLUMNS = ("ts_open", *VALUE_COLUMNS)
_DIFFERS = " OR ".join(f"b.{c} IS DISTINCT FROM i.{c}" for c in VALUE_COLUMNS)
_CONFLICTS = f"""
SELECT i.ts_open, i.row_number, count(*) OVER () AS n,
       {", ".join(f"b.{c}" for c in VALUE_COLUMNS)}, {", ".join(f"i.{c}" for c in VALUE_COLUMNS)}
FROM incoming AS i JOIN {TABLE} AS b
  ON b.symbol = $symbol AND b.frequency_ns = $frequency AND b.ts_open = i.ts_open
WHERE {_DIFFERS}
ORDER BY i.ts_open
LIMIT 1
"""
_INSERT = f"""
INSERT INTO {TABLE}
SELECT $symbol, $frequency, i.ts_open, {", ".join(f"i.{c}" for c in VALUE_COLUMNS)}, $source
FROM incoming AS i
WHERE NOT EXISTS (
    SELECT 1 FROM {TABLE} AS b
    WHERE b.symbol = $symbol AND b.frequency_ns = $frequency AND b.ts_open = i.ts_open
)
"""


def duckdb_path(url: str, base_dir: Path | None = None) -> str:
    """The database path in ``duckdb:///relative/path`` or ``duckdb:////absolute/path``.

    A relative path is resolved against ``base_dir`` when given (a run config's directory),
    else against the working directory. ``duckdb:///:memory:`` is an in-memory database.

    Raises
    ------
    ConfigError
        The URL has a host or no path.
    """
    rest = url.split("://", 1)[1]
    if not rest.startswith("/") or len(rest) < 2 or "?" in rest:
        raise ConfigError(
            f"invalid DuckDB store URL {url!r}: use duckdb:///relative/path.duckdb or "
            "duckdb:////absolute/path.duckdb (three slashes, then the path; no host, no query)"
        )
    path = rest[1:]
    if path == ":memory:" or base_dir is None or Path(path).is_absolute():
        return path
    return str(base_dir / path)


class DuckDBStore(StoreBase):
    """A :class:`~quantrail.data.store.BarStore` in one DuckDB file.

    Parameters
    ----------
    url : str
        ``duckdb:///relative/path.duckdb`` or ``duckdb:////absolute/path.duckdb``.
    read_only : bool
        Open without creating anything; several processes may then read one file at once.
        A missing file is a :class:`DataError`.
    base_dir : Path, optional
        Directory a relative path is resolved against (default: the working directory).
    """

    def __init__(self, url: str, *, read_only: bool = False, base_dir: Path | None = None) -> None:
        self.url = url
        self.path = duckdb_path(url, base_dir)
        in_memory = self.path == ":memory:"
        self.read_only = read_only and not in_memory
        if read_only and not in_memory and not Path(self.path).exists():
            raise DataError(
                f"no bar store at {self.path} (create one with `quantrail data import`)",
                source=url,
            )
        if not read_only and not in_memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(self.path, read_only=read_only and not in_memory)
        except duckdb.Error as exc:
            raise DataError(f"cannot open the bar store: {exc}", source=url) from exc
        try:
            # Results are always fetched to the end: DuckDB refuses new work on a connection
            # with a partly read result.
            found = self._con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]
            ).fetchall()
            self._has_table = found == [(1,)]
            if not read_only and not self._has_table:
                self._con.execute(_DDL)
                self._has_table = True
        except duckdb.Error as exc:
            self._con.close()
            raise DataError(f"cannot set up the bar table: {exc}", source=url) from exc

    def write(self, frame: BarFrame) -> WriteResult:
        """Store ``frame``'s bars in one transaction; see :meth:`BarStore.write`."""
        if self.read_only:
            raise DataError("the bar store was opened read-only; cannot write", source=self.url)
        check_unique_keys(frame)
        n = len(frame)
        if n == 0:
            return WriteResult(0, 0)
        incoming = pa.table(
            {
                "ts_open": frame.ts_open,
                "row_number": frame.row_numbers,
                **{c: getattr(frame, c) for c in VALUE_COLUMNS},
            }
        )
        params = {"symbol": frame.symbol, "frequency": frame.frequency_ns}
        con = self._con
        con.register("incoming", incoming)
        try:
            con.begin()
            try:
                conflicts = con.execute(_CONFLICTS, params).fetchall()
                if conflicts:
                    conflict = conflicts[0]
                    k = len(VALUE_COLUMNS)
                    stored = dict(zip(VALUE_COLUMNS, conflict[3 : 3 + k], strict=True))
                    new = dict(zip(VALUE_COLUMNS, conflict[3 + k :], strict=True))
                    raise conflict_error(
                        frame, int(conflict[2]), int(conflict[0]), int(conflict[1]), stored, new
                    )
                # DuckDB reports the inserted row count as the statement's single result row.
                counted = con.execute(_INSERT, {**params, "source": frame.source}).fetchall()
                inserted = int(counted[0][0]) if counted else 0
                con.commit()
            except (duckdb.ConstraintException, duckdb.TransactionException) as exc:
                # Another connection of this process wrote the same keys since our check.
                con.rollback()
                raise DataError(
                    f"{frame.symbol}: another import wrote some of these bars at the same time; "
                    "nothing was written, run the import again",
                    source=frame.source,
                    rule="store_conflict",
                ) from exc
            except BaseException:
                con.rollback()
                raise
        finally:
            con.unregister("incoming")
        return WriteResult(inserted=inserted, skipped=n - inserted)

    def read(
        self, symbol: str, frequency_ns: int, start_ns: int | None = None, end_ns: int | None = None
    ) -> BarFrame:
        """Bars with ``start_ns <= ts_open < end_ns``, ordered by ``ts``; see
        :meth:`BarStore.read`."""
        where = "symbol = $symbol AND frequency_ns = $frequency"
        params: dict[str, object] = {"symbol": symbol, "frequency": frequency_ns}
        if start_ns is not None:
            where += " AND ts_open >= $start"
            params["start"] = start_ns
        if end_ns is not None:
            where += " AND ts_open < $end"
            params["end"] = end_ns
        columns: dict[str, np.ndarray] = {}
        if self._has_table:
            sql = (
                f"SELECT {', '.join(_READ_COLUMNS)} FROM {TABLE} WHERE {where} ORDER BY ts, ts_open"
            )
            fetched = self._con.execute(sql, params).fetchnumpy()
            columns = {name: np.asarray(values) for name, values in fetched.items()}
        if not columns or len(columns["ts"]) == 0:
            raise missing_series_error(self.url, symbol, frequency_ns, start_ns, end_ns)
        return frame_from_columns(self.url, symbol, frequency_ns, columns)

    def list(self) -> builtins.list[SeriesInfo]:
        """Every stored series, ordered by symbol then frequency."""
        if not self._has_table:
            return []
        rows = self._con.execute(
            f"SELECT symbol, frequency_ns, min(ts_open), max(ts_open), count(*) FROM {TABLE} "
            "GROUP BY symbol, frequency_ns ORDER BY symbol, frequency_ns"
        ).fetchall()
        return [SeriesInfo(str(s), int(f), int(a), int(b), int(r)) for s, f, a, b, r in rows]

    def close(self) -> None:
        """Close the DuckDB connection (and release the file lock)."""
        self._con.close()
