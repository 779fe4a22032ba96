"""Bars to and from PostgreSQL's binary wire formats, encoded and decoded by numpy.

Every numeric column of the bar table is ``bigint`` or ``double precision`` and NOT NULL, so a
row always has the same size and a whole frame is one structured numpy array: no per-row Python.

* Writing uses binary COPY: per row a 16-bit field count, then per field a 32-bit length (8)
  and the 8-byte big-endian value.
* Reading concatenates ``int8send``/``float8send`` of each row on the server into one
  ``bytea`` per page: 8 big-endian bytes per field, nothing else. (A binary ``COPY TO`` would
  cost one client round of Python per row, several times slower than the bytes themselves.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

__all__ = ["decode_rows", "encode_chunks", "send_expression"]

_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no flags/ext
_TRAILER = b"\xff\xff"
_CHUNK_ROWS = 65_536  # bounds the encoded copy of a large frame to a few MB at a time


def _big_endian(array: np.ndarray) -> str:
    return ">i8" if np.issubdtype(array.dtype, np.integer) else ">f8"


def encode_chunks(columns: dict[str, np.ndarray]) -> Iterator[bytes]:
    """Yield the binary COPY stream for ``columns`` (int64 or float64 arrays of equal length).

    The header comes first and the trailer last.
    """
    fields: list[tuple[str, str]] = [("_count", ">i2")]
    for name, array in columns.items():
        fields += [(f"_len_{name}", ">i4"), (name, _big_endian(array))]
    dtype = np.dtype(fields)
    n = len(next(iter(columns.values())))
    yield _HEADER
    for lo in range(0, n, _CHUNK_ROWS):
        hi = min(lo + _CHUNK_ROWS, n)
        rows = np.empty(hi - lo, dtype=dtype)
        rows["_count"] = len(columns)
        for name, array in columns.items():
            rows[f"_len_{name}"] = 8
            rows[name] = array[lo:hi]
        yield rows.tobytes()
    yield _TRAILER


def send_expression(names: Sequence[str], kinds: Sequence[str]) -> str:
    """SQL concatenating each column's binary send form: one 8-byte field per column."""
    send = {"i": "int8send", "f": "float8send"}
    return " || ".join(f"{send[k]}({n})" for n, k in zip(names, kinds, strict=True))


def decode_rows(data: bytes, names: Sequence[str], kinds: Sequence[str]) -> dict[str, np.ndarray]:
    """Split rows made by :func:`send_expression` into native int64 / float64 arrays.

    Raises
    ------
    ValueError
        ``data`` is not a whole number of rows.
    """
    dtype = np.dtype([(n, ">i8" if k == "i" else ">f8") for n, k in zip(names, kinds, strict=True)])
    if len(data) % dtype.itemsize:
        raise ValueError(f"{len(data)} bytes is not a whole number of {dtype.itemsize}-byte rows")
    rows = np.frombuffer(data, dtype=dtype)
    native = {"i": np.int64, "f": np.float64}
    return {n: rows[n].astype(native[k]) for n, k in zip(names, kinds, strict=True)}
