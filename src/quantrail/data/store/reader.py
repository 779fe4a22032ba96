"""Reading the series a :class:`~quantrail.data.config.DataConfig` names from its store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from quantrail.core.errors import ConfigError, DataError
from quantrail.data.config import DataConfig
from quantrail.data.frame import BarFrame

__all__ = ["parse_bound", "read_configured"]


def parse_bound(text: str | None, zone: str, field: str) -> int | None:
    """UTC nanoseconds of an ISO-8601 ``start``/``end``; ``None`` stays ``None``.

    A bound written without a UTC offset (``"2015-01-02"``) is a local time in ``zone``, so a
    date means midnight where the series trades, as a bar file's dates do.

    Raises
    ------
    ConfigError
        The text is not an ISO-8601 time, or the local time is ambiguous or does not exist.
    """
    if text is None:
        return None
    try:
        stamp = pd.Timestamp(text)
        if stamp.tzinfo is None:
            stamp = stamp.tz_localize(zone, ambiguous="raise", nonexistent="raise")
        return int(stamp.tz_convert("UTC").value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"{text!r} is not an ISO-8601 time such as '2015-01-02' or "
            f"'2015-01-02T14:30:00+00:00' ({exc})",
            path=field,
        ) from None


def read_configured(cfg: DataConfig, base_dir: Path | None = None) -> BarFrame:
    """Read ``cfg.symbol`` at ``cfg.frequency`` from ``cfg.store``, bounded by ``start``/``end``.

    The bars come back as they were imported: ``ts``, ``session``, ``bid`` and ``ask`` were
    computed then, so the file options (``timestamps``, ``timezone``, ``session_timezone``)
    do not apply to them here.

    Parameters
    ----------
    cfg : DataConfig
        A config with ``store`` set (``path`` unset).
    base_dir : Path, optional
        Directory a relative DuckDB path is resolved against (the run config's directory).

    Raises
    ------
    ConfigError
        Bad ``start``/``end`` or store URL; ``start`` not before ``end``.
    DataError
        The store cannot be opened, or holds no bars of the series in that range.
    """
    from quantrail.data.store import open_store

    if cfg.store is None:
        raise ConfigError("no bar store configured", path="store")
    if cfg.quotes_path is not None:
        raise DataError(
            "quotes_path joins quotes to a bar file; bars in a store carry their own bid/ask",
            source=cfg.store,
        )
    zone = cfg.timezone or cfg.session_tz
    start = parse_bound(cfg.start, zone, "start")
    end = parse_bound(cfg.end, zone, "end")
    if start is not None and end is not None and start >= end:
        raise ConfigError(f"start {cfg.start!r} must be before end {cfg.end!r}", path="start")
    with open_store(cfg.store, read_only=True, base_dir=base_dir) as store:
        return store.read(cfg.symbol, cfg.frequency_ns, start, end)
