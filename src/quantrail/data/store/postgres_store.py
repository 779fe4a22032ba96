"""The server bar store: PostgreSQL, optionally with TimescaleDB.

Writes stream the frame into a temporary table with binary COPY (encoded by numpy, see
``_pgcopy``), check it against the stored bars, then insert the new ones with an anti-join; all
in one transaction. Reads fetch pages of rows as packed ``bytea`` decoded by numpy.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from quantrail.core.errors import DataError
from quantrail.data.frame import BarFrame
from quantrail.data.store import _pgcopy
from quantrail.data.store._pgschema import (
    column_ddl,
    create_bar_table,
    is_hypertable,
    split_postgres_url,
    table_exists,
    timescaledb_available,
)
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
    redact_url,
)

__all__ = ["PostgresStore"]

_NUMERIC = ("ts_open", *VALUE_COLUMNS)
_KINDS = tuple("i" if c in ("ts_open", "ts", "session") else "f" for c in _NUMERIC)
_STAGING = sql.Identifier("quantrail_incoming")
_PAGE_ROWS = 250_000  # rows per bytea page on read (20 MB); larger pages grow it slower


class PostgresStore(StoreBase):
    """A :class:`~quantrail.data.store.BarStore` in a PostgreSQL schema.

    Parameters
    ----------
    url : str
        ``postgresql://user[:password]@host:port/db[?schema=NAME]``; the schema (default
        ``quantrail``) and its ``bars`` table are created if missing.
    read_only : bool
        Create nothing; reading a series that was never stored is a :class:`DataError`.

    Attributes
    ----------
    timescaledb : bool
        The server offers the ``timescaledb`` extension.
    hypertable : bool
        The bar table is a TimescaleDB hypertable (else a plain table whose primary-key index on
        ``(symbol, frequency_ns, ts_open)`` serves range reads).
    """

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        conninfo, self.schema = split_postgres_url(url)
        self._table = sql.Identifier(self.schema, TABLE)
        try:
            self._conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise DataError(
                f"cannot connect to the bar store: {exc}", source=redact_url(url)
            ) from exc
        try:
            self.timescaledb = timescaledb_available(self._conn)
            if not read_only:
                create_bar_table(self._conn, self.schema, self.timescaledb)
            self._has_table = table_exists(self._conn, self.schema)
            self.hypertable = self._has_table and is_hypertable(self._conn, self.schema)
        except psycopg.Error as exc:
            self._conn.close()
            raise DataError(
                f"cannot set up the bar table in schema {self.schema!r}: {exc}",
                source=redact_url(url),
            ) from exc

    def write(self, frame: BarFrame) -> WriteResult:
        """Store ``frame``'s bars in one transaction; see :meth:`BarStore.write`."""
        check_unique_keys(frame)
        n = len(frame)
        if n == 0:
            return WriteResult(0, 0)
        staged = ("ts_open", "row_number", *VALUE_COLUMNS)
        columns = {"ts_open": frame.ts_open, "row_number": frame.row_numbers}
        columns.update({c: getattr(frame, c) for c in VALUE_COLUMNS})
        key = [frame.symbol, frame.frequency_ns]
        conn = self._conn
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(
                sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
                    _STAGING, column_ddl(staged)
                )
            )
            with cur.copy(sql.SQL("COPY {} FROM STDIN (FORMAT BINARY)").format(_STAGING)) as copy:
                for chunk in _pgcopy.encode_chunks(columns):
                    copy.write(chunk)
            # Without statistics the planner guesses a tiny staging table and probes the index
            # row by row; ANALYZE lets it pick a hash join for large imports.
            cur.execute(sql.SQL("ANALYZE {}").format(_STAGING))
            cur.execute(self._conflict_sql(), key)
            conflict = cur.fetchone()
            if conflict is not None:
                k = len(VALUE_COLUMNS)
                stored = dict(zip(VALUE_COLUMNS, conflict[3 : 3 + k], strict=True))
                new = dict(zip(VALUE_COLUMNS, conflict[3 + k :], strict=True))
                raise conflict_error(
                    frame, int(conflict[2]), int(conflict[0]), int(conflict[1]), stored, new
                )
            inserted = self._insert_new(cur, frame)
        return WriteResult(inserted=inserted, skipped=n - inserted)

    def _insert_new(self, cur: psycopg.Cursor[tuple[Any, ...]], frame: BarFrame) -> int:
        """Insert the staged bars whose key is not stored yet; return how many."""
        values = sql.SQL(", ").join(sql.Identifier("i", c) for c in _NUMERIC)
        # An anti-join rather than ON CONFLICT DO NOTHING: twice as fast here (no speculative
        # insertion per row), and a concurrent import of the same keys then fails loudly
        # instead of having its differing values skipped after our conflict check passed.
        query = sql.SQL(
            "INSERT INTO {} SELECT %s, %s, {}, %s FROM {} AS i WHERE NOT EXISTS "
            "(SELECT 1 FROM {} AS b WHERE b.symbol = %s AND b.frequency_ns = %s "
            "AND b.ts_open = i.ts_open)"
        ).format(self._table, values, _STAGING, self._table)
        key = [frame.symbol, frame.frequency_ns]
        try:
            cur.execute(query, [*key, frame.source, *key])
        except psycopg.errors.UniqueViolation as exc:
            raise DataError(
                f"{frame.symbol}: another import wrote some of these bars at the same time; "
                "nothing was written, run the import again",
                source=frame.source,
                rule="store_conflict",
            ) from exc
        return max(cur.rowcount, 0)

    def _conflict_sql(self) -> sql.Composed:
        stored = sql.SQL(", ").join(sql.Identifier("b", c) for c in VALUE_COLUMNS)
        new = sql.SQL(", ").join(sql.Identifier("i", c) for c in VALUE_COLUMNS)
        differs = sql.SQL(" OR ").join(
            sql.SQL("{} IS DISTINCT FROM {}").format(sql.Identifier("b", c), sql.Identifier("i", c))
            for c in VALUE_COLUMNS
        )
        return sql.SQL(
            "SELECT i.ts_open, i.row_number, count(*) OVER (), {}, {} FROM {} AS i "
            "JOIN {} AS b ON b.symbol = %s AND b.frequency_ns = %s AND b.ts_open = i.ts_open "
            "WHERE {} ORDER BY i.ts_open LIMIT 1"
        ).format(stored, new, _STAGING, self._table, differs)

    def read(
        self, symbol: str, frequency_ns: int, start_ns: int | None = None, end_ns: int | None = None
    ) -> BarFrame:
        """Bars with ``start_ns <= ts_open < end_ns``, ordered by ``ts``; see
        :meth:`BarStore.read`."""
        source = redact_url(self.url)
        if not self._has_table:
            raise missing_series_error(source, symbol, frequency_ns, start_ns, end_ns)
        pages: builtins.list[bytes] = []
        after: int | None = None
        # Pages walk the primary-key index in ts_open order (no server sort, each bytea well
        # under its 1 GB limit); one snapshot keeps them consistent with each other.
        with self._conn.transaction(), self._conn.cursor(binary=True) as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            while True:
                query, params = self._page_sql(symbol, frequency_ns, start_ns, end_ns, after)
                row = cur.execute(query, params).fetchone()
                count = int(row[1]) if row is not None else 0
                if row is None or count == 0:
                    break
                pages.append(bytes(row[0]))
                after = int(row[2])
                if count < _PAGE_ROWS:
                    break
        if not pages:
            raise missing_series_error(source, symbol, frequency_ns, start_ns, end_ns)
        try:
            columns = _pgcopy.decode_rows(b"".join(pages), _NUMERIC, _KINDS)
        except ValueError as exc:
            raise DataError(f"unexpected rows from the bar store: {exc}", source=source) from exc
        # The contract orders by ts (known-at); it matches ts_open order unless bars of one
        # series have different lengths, so the sort is usually skipped.
        ts = columns["ts"]
        if not bool(np.all(ts[1:] > ts[:-1])):
            order = np.lexsort((columns["ts_open"], ts))
            columns = {name: values[order] for name, values in columns.items()}
        return frame_from_columns(self.url, symbol, frequency_ns, columns)

    def _page_sql(
        self,
        symbol: str,
        frequency_ns: int,
        start_ns: int | None,
        end_ns: int | None,
        after: int | None,
    ) -> tuple[sql.Composed, builtins.list[object]]:
        where = [sql.SQL("symbol = %s"), sql.SQL("frequency_ns = %s")]
        params: builtins.list[object] = [symbol, frequency_ns]
        for bound, condition in ((start_ns, "ts_open >= %s"), (end_ns, "ts_open < %s"),
                                 (after, "ts_open > %s")):  # fmt: skip
            if bound is not None:
                where.append(sql.SQL(condition))
                params.append(bound)
        params.append(_PAGE_ROWS)
        query = sql.SQL(
            "SELECT string_agg(r, ''::bytea), count(*), max(ts_open) FROM "
            "(SELECT {} AS r, ts_open FROM {} WHERE {} ORDER BY ts_open LIMIT %s) AS page"
        ).format(
            sql.SQL(_pgcopy.send_expression(_NUMERIC, _KINDS)),
            self._table,
            sql.SQL(" AND ").join(where),
        )
        return query, params

    def list(self) -> builtins.list[SeriesInfo]:
        """Every stored series, ordered by symbol then frequency."""
        if not self._has_table:
            return []
        rows = self._conn.execute(
            sql.SQL(
                "SELECT symbol, frequency_ns, min(ts_open), max(ts_open), count(*) FROM {} "
                "GROUP BY symbol, frequency_ns ORDER BY symbol, frequency_ns"
            ).format(self._table)
        ).fetchall()
        return [SeriesInfo(str(s), int(f), int(a), int(b), int(r)) for s, f, a, b, r in rows]

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
