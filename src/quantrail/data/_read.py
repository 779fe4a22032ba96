"""Reading a table from CSV or Parquet and turning its columns into typed numpy arrays.

Every failure is a DataError naming the file, the line (when one is to blame) and the column.
Nothing is repaired: a value is either parsed as written or rejected.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from quantrail.core.errors import DataError
from quantrail.core.time import NANOS_PER_DAY
from quantrail.data.config import FileFormat
from quantrail.data.frame import FloatArray, IntArray

__all__ = ["map_columns", "parse_numbers", "parse_timestamps", "read_table", "session_days"]

# A UTC offset (or Z) after a time part. A date, a separator and an hour must come first, so
# that the "-DD" of a date-only string (even one written with a leading space) is never taken
# for an offset.
_OFFSET = (
    r"^\s*\d{4}-?\d{2}-?\d{2}[T ]\d{2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*"
    r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)\s*$"
)
_WHITESPACE = np.array([ord(c) for c in " \t\r\n"], dtype=np.uint8)


def read_table(path: Path, fmt: FileFormat, source: str) -> tuple[pd.DataFrame, IntArray]:
    """Read ``path`` and return the table and each row's line number (record number for Parquet)."""
    try:
        if fmt == "parquet":
            table = pd.read_parquet(path)
            # Arrow's allocator keeps freed buffers for reuse; hand them back so a large load
            # does not hold its peak for the rest of the run.
            pa.default_memory_pool().release_unused()
            rows = np.arange(1, len(table) + 1, dtype=np.int64)
        else:
            raw = path.read_bytes()
            if not raw.strip():
                raise DataError("the file is empty (expected a header and bars)", source=source)
            if b"\r" in raw and b"\n" not in raw:
                raise DataError(
                    "lines end with a bare carriage return (old Mac style); convert them to "
                    "\\n or \\r\\n line ends",
                    source=source, rule="line_endings",
                )  # fmt: skip
            _refuse_repeated_header(raw, source)
            # index_col=False: a row with more fields than the header is an error, never a
            # silently added index column.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                table = pd.read_csv(io.BytesIO(raw), engine="c", index_col=False)
            if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
                _refuse_ragged_rows(raw, source)
            rows = _csv_line_numbers(raw, len(table), source)
    except FileNotFoundError:
        raise DataError(f"file not found: {path}", source=source) from None
    except DataError:
        raise
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        # pyarrow's ArrowInvalid is a ValueError; pandas' ParserError already names the line.
        raise DataError(f"cannot read as {fmt}: {exc}", source=source) from exc
    if len(table) == 0:
        raise DataError("the file has a header but no bars", source=source)
    return table, rows


def _refuse_repeated_header(raw: bytes, source: str) -> None:
    # pandas renames a repeated column ("close", "close.1") and the copy would be ignored.
    first = raw.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    names = [name.strip().strip('"').lower() for name in first.strip("\r").split(",")]
    repeated = sorted({name for name in names if names.count(name) > 1 and name})
    if repeated:
        raise DataError(
            f"the header repeats column(s) {', '.join(repeated)}", source=source, row=1,
            rule="header",
        )  # fmt: skip


def _refuse_ragged_rows(raw: bytes, source: str) -> None:
    # Only reached when pandas saw rows longer than the header: find the first one to name it.
    lines = raw.decode("utf-8", "replace").splitlines()
    width = len(lines[0].split(","))
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() and len(line.split(",")) != width:
            raise DataError(
                f"{len(line.split(','))} fields where the header has {width}",
                source=source, row=number, rule="field_count",
            )  # fmt: skip
    raise DataError("rows do not match the header's fields", source=source, rule="field_count")


def _csv_line_numbers(raw: bytes, n_rows: int, source: str) -> IntArray:
    buf = np.frombuffer(raw, dtype=np.uint8)
    newlines = np.flatnonzero(buf == ord("\n"))
    n_lines = len(newlines) + (0 if raw.endswith(b"\n") else 1)
    if n_lines - 1 == n_rows:
        return np.arange(2, n_rows + 2, dtype=np.int64)
    # The parser skipped blank lines; find the non-blank ones so line numbers stay true.
    starts = np.concatenate(([0], newlines + 1))[:n_lines]
    ends = np.concatenate((newlines, [len(buf)]))[:n_lines]
    visible = np.concatenate(([0], np.cumsum(~np.isin(buf, _WHITESPACE), dtype=np.int64)))
    content_lines = np.flatnonzero(visible[ends] - visible[starts] > 0) + 1
    if len(content_lines) - 1 != n_rows:
        raise DataError(
            f"cannot map {n_rows} parsed rows onto {len(content_lines) - 1} lines; "
            "quoted fields spanning lines are not supported in bar files",
            source=source,
        )
    return content_lines[1:].astype(np.int64)


def map_columns(
    table: pd.DataFrame, required: tuple[str, ...], optional: tuple[str, ...], source: str
) -> dict[str, str]:
    """Match wanted column names case-insensitively; return wanted name -> actual header."""
    found: dict[str, str] = {}
    for column in table.columns:
        key = str(column).strip().lower()
        if key in found:
            raise DataError(
                f"columns {found[key]!r} and {column!r} both match {key!r}", source=source
            )
        found[key] = str(column)
    missing = [name for name in required if name not in found]
    if missing:
        raise DataError(
            f"missing required column(s) {', '.join(missing)}; "
            f"the header has {', '.join(map(str, table.columns))}",
            source=source,
        )
    return {name: found[name] for name in (*required, *optional) if name in found}


def parse_numbers(column: pd.Series, name: str, rows: IntArray, source: str) -> FloatArray:
    """Return the column as float64; empty cells become NaN, anything else unparseable fails."""
    if pd.api.types.is_bool_dtype(column.dtype):
        raise DataError(f"column {name} holds booleans, expected numbers", source=source)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    values = pd.to_numeric(column, errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy() & column.notna().to_numpy())
    if len(bad):
        i = int(bad[0])
        raise DataError(
            f"column {name}: {column.iloc[i]!r} is not a number"
            + (f" ({len(bad)} such cells)" if len(bad) > 1 else ""),
            source=source,
            row=int(rows[i]),
        )
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def parse_timestamps(
    column: pd.Series, name: str, rows: IntArray, source: str, timezone: str | None
) -> IntArray:
    """Return UTC nanoseconds; offsets are honoured, naive times are localized in ``timezone``."""
    missing = np.flatnonzero(column.isna().to_numpy())
    if len(missing):
        raise DataError(f"column {name} is empty", source=source, row=int(rows[missing[0]]))
    dtype = column.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _to_ns(pd.DatetimeIndex(column).tz_convert("UTC"), rows, source)
    if pd.api.types.is_datetime64_dtype(dtype):
        naive = pd.DatetimeIndex(column)
        return _to_ns(_localize(naive, name, rows, source, timezone), rows, source)
    if not (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)):
        raise DataError(
            f"column {name} has type {dtype}; expected ISO-8601 text or timestamps",
            source=source,
        )
    text = column.astype("str")
    # utc=True parses naive and offset strings alike, so one pass finds every unparseable cell.
    parsed = pd.DatetimeIndex(pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce"))
    bad = np.flatnonzero(parsed.isna())
    if len(bad):
        i = int(bad[0])
        raise DataError(
            f"column {name}: cannot parse {text.iloc[i]!r} as an ISO-8601 timestamp",
            source=source,
            row=int(rows[i]),
        )
    has_offset = text.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool)
    if has_offset.all():
        return _to_ns(parsed, rows, source)
    if has_offset.any():
        i = int(np.flatnonzero(has_offset != has_offset[0])[0])
        kind = "has a UTC offset" if has_offset[i] else "has no UTC offset"
        raise DataError(
            f"column {name}: {text.iloc[i]!r} {kind} but line {int(rows[0])} "
            f"{'does not' if has_offset[i] else 'does'}; mixing is ambiguous",
            source=source,
            row=int(rows[i]),
        )
    # Naive strings were read as UTC wall time above; dropping that zone recovers the wall time.
    naive = parsed.tz_localize(None)
    return _to_ns(_localize(naive, name, rows, source, timezone), rows, source)


def _localize(
    naive: pd.DatetimeIndex, name: str, rows: IntArray, source: str, timezone: str | None
) -> pd.DatetimeIndex:
    if timezone is None:
        raise DataError(
            f"column {name} has no UTC offset (e.g. {naive[0].isoformat()!r}); "
            "set timezone: (an IANA name such as America/New_York) in the data config",
            source=source,
        )
    local = naive.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    bad = np.flatnonzero(local.isna())
    if len(bad):
        i = int(bad[0])
        wall = naive[i]
        fell_back = not pd.isna(wall.tz_localize(timezone, ambiguous=True, nonexistent="NaT"))
        why = (
            "is ambiguous (clocks fall back)"
            if fell_back
            else "does not exist (clocks spring forward)"
        )
        raise DataError(
            f"column {name}: local time {wall.isoformat()} {why} in {timezone}; "
            "write timestamps with a UTC offset",
            source=source,
            row=int(rows[i]),
        )
    return local.tz_convert("UTC")


def _to_ns(index: pd.DatetimeIndex, rows: IntArray, source: str) -> IntArray:
    try:
        return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)
    except pd.errors.OutOfBoundsDatetime:
        lo = pd.Timestamp.min.tz_localize("UTC")
        hi = pd.Timestamp.max.tz_localize("UTC")
        i = int(np.flatnonzero((index < lo) | (index > hi))[0])
        raise DataError(
            f"timestamp {index[i].isoformat()} is outside the supported years 1678-2261",
            source=source,
            row=int(rows[i]),
        ) from None


def session_days(ns: IntArray, zone: str) -> IntArray:
    """Local calendar date of each UTC instant in ``zone``, as days since 1970-01-01."""
    if zone == "UTC":
        return ns // NANOS_PER_DAY
    local = pd.DatetimeIndex(pd.to_datetime(ns, unit="ns", utc=True)).tz_convert(zone)
    wall = np.asarray(local.tz_localize(None).as_unit("ns").asi8, dtype=np.int64)
    return wall // NANOS_PER_DAY
