"""Bar stores: where imported bars are kept, behind one interface with two back-ends.

Typical use::

    with open_store("duckdb:///quantrail.duckdb") as store:
        store.write(frame)                      # idempotent; conflicts raise DataError
        frame = store.read("SPY", parse_duration("1d"))

Back-end modules are imported only when their scheme is opened, so ``import quantrail.data``
does not pay for a database driver it does not use.
"""

from __future__ import annotations

from pathlib import Path

from quantrail.core.errors import ConfigError
from quantrail.data.store.base import (
    BarStore,
    SeriesInfo,
    StoreBase,
    WriteResult,
    format_frequency,
    redact_url,
)
from quantrail.data.store.reader import parse_bound, read_configured

__all__ = [
    "DEFAULT_STORE_URL",
    "SCHEMES",
    "BarStore",
    "SeriesInfo",
    "StoreBase",
    "WriteResult",
    "format_frequency",
    "open_store",
    "parse_bound",
    "read_configured",
    "redact_url",
]

DEFAULT_STORE_URL = "duckdb:///quantrail.duckdb"
"""The store `quantrail data import` and `data list` use by default (in the working directory)."""

SCHEMES = ("duckdb", "postgresql", "postgres")
"""URL schemes :func:`open_store` accepts."""


def open_store(url: str, *, read_only: bool = False, base_dir: Path | None = None) -> BarStore:
    """Open the bar store at ``url``, creating its table unless ``read_only``.

    Parameters
    ----------
    url : str
        ``duckdb:///relative/path.duckdb``, ``duckdb:////absolute/path.duckdb`` or
        ``postgresql://user[:password]@host:port/db[?schema=NAME]``.
    read_only : bool
        Create nothing (DuckDB: a missing file is an error, and other processes may read too).
    base_dir : Path, optional
        Directory a relative DuckDB path is resolved against (default: the working directory).

    Returns
    -------
    BarStore
        Also a context manager that closes it.

    Raises
    ------
    ConfigError
        The scheme is not one of :data:`SCHEMES`, or the URL is malformed.
    DataError
        The database cannot be opened or reached.
    """
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "duckdb":
        from quantrail.data.store.duckdb_store import DuckDBStore

        return DuckDBStore(url, read_only=read_only, base_dir=base_dir)
    if scheme in ("postgresql", "postgres"):
        from quantrail.data.store.postgres_store import PostgresStore

        return PostgresStore(url, read_only=read_only)
    raise ConfigError(
        f"unsupported bar store URL {redact_url(url)!r}: use one of "
        "duckdb:///relative/path.duckdb, duckdb:////absolute/path.duckdb, "
        "postgresql://user@host:port/db (schemes: " + ", ".join(SCHEMES) + ")"
    )
