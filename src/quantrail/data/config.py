"""Configuration of one bar data source (one symbol, one file)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from quantrail.core.time import parse_duration

__all__ = ["DataConfig", "FileFormat"]

FileFormat = Literal["csv", "parquet"]

_SUFFIX_FORMATS: dict[str, FileFormat] = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_DEFAULT_SESSION_TZ = {"equity": "America/New_York", "crypto": "UTC", "fx": "UTC"}
_DEFAULT_CALENDAR = {"equity": "XNYS", "crypto": "24/7", "fx": "24/5"}


def _check_zone(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as 'America/New_York' or 'UTC'"
        ) from None
    return name


class DataConfig(BaseModel):
    """Where one symbol's bars live and how to read them.

    Attributes
    ----------
    symbol : str
        The instrument's symbol; must be unique among the frames merged into one stream.
    path : Path or None
        The bar file (CSV or Parquet). A relative path is resolved against the ``base_dir``
        given to :func:`quantrail.data.load_bars` (normally the run config's directory).
        Exactly one of ``path`` and ``store`` must be given.
    store : str or None
        A bar store URL to read ``symbol`` at ``frequency`` from instead of a file:
        ``duckdb:///path/to/bars.duckdb`` (embedded) or ``postgresql://user@host:port/db``.
    start, end : str or None
        Optional ISO-8601 bounds (inclusive start, exclusive end, on the bar start time) of the
        bars read from a store.
    timestamps : {"bar_start", "bar_end"}
        What the file's ``timestamp`` column marks. ``bar_start`` (default): the moment the bar's
        interval began, so the bar is known at ``timestamp + frequency``. ``bar_end``: the
        moment the bar closed, which is when it is known.
    timezone : str or None
        IANA zone used to localize timestamps written without a UTC offset. Needed only for
        such files; timestamps with an offset ignore it.
    frequency : str
        Bar spacing as a duration: ``"1d"``, ``"1min"``, ``"5min"``, ``"1h"``. Must be > 0.
        It is an absolute duration, not a calendar step (see ``docs/data.md``).
    asset_class : {"equity", "crypto", "fx"}
        Selects the default ``session_timezone``.
    tick_size : float
        Smallest price increment (> 0).
    lot_size : float
        Smallest quantity increment (> 0).
    format : {"csv", "parquet"} or None
        File format of ``path`` and ``quotes_path``; ``None`` infers each from its suffix
        (``.csv``, ``.parquet``, ``.pq``).
    session_timezone : str or None
        IANA zone whose local calendar date defines a bar's trading session. ``None`` means the
        asset-class default: America/New_York for equity, UTC for crypto and fx. Use
        :attr:`session_tz` for the effective value.
    calendar : str or None
        Trading calendar (an ``exchange-calendars`` name such as ``XNYS``, or ``24/7``, ``24/5``)
        that gaps, sessions and extended hours are judged against. ``None`` means the
        asset-class default: XNYS for equity, 24/7 for crypto, 24/5 for fx.
    extended_hours : {"keep", "drop"}
        Keep or drop intraday bars outside the calendar's regular session.
    actions_path : Path or None
        Corporate actions file (``timestamp, type, value``; type ``split`` or ``dividend``).
        Splits and dividends then reach the backtest as events on their ex-date, and adjusted
        series are computed as of a date (see ``docs/data.md``).
    tags : dict of str to str
        Labels risk limits group by, e.g. ``{sector: tech}``; ``asset_class`` is added.
    quotes_path : Path or None
        Optional quote-bar file (``timestamp, bid_open..bid_close, ask_open..ask_close``, same
        timestamp convention as ``path``) joined on timestamp to give each bar
        ``bid = bid_close`` and ``ask = ask_close``; bars without a quote get NaN.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    symbol: str
    path: Path | None = None
    store: str | None = None
    start: str | None = None
    end: str | None = None
    timestamps: Literal["bar_start", "bar_end"] = "bar_start"
    timezone: str | None = None
    frequency: str
    asset_class: Literal["equity", "crypto", "fx"] = "equity"
    tick_size: float = 0.01
    lot_size: float = 1.0
    format: FileFormat | None = None
    session_timezone: str | None = None
    quotes_path: Path | None = None
    calendar: str | None = None
    extended_hours: Literal["keep", "drop"] = "keep"
    actions_path: Path | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("symbol")
    @classmethod
    def _symbol_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("symbol must not be empty")
        return value

    @field_validator("timezone", "session_timezone")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        return _check_zone(value)

    @field_validator("frequency")
    @classmethod
    def _frequency_positive(cls, value: str) -> str:
        # parse_duration's ValueError already names the text and the accepted units.
        if parse_duration(value) <= 0:
            raise ValueError(f"frequency must be > 0, got {value!r}")
        return value

    @field_validator("tick_size", "lot_size")
    @classmethod
    def _increment_positive(cls, value: float) -> float:
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"must be a finite number > 0, got {value!r}")
        return value

    @model_validator(mode="after")
    def _formats_known(self) -> DataConfig:
        if (self.path is None) == (self.store is None):
            raise ValueError("give exactly one of path (a bar file) and store (a bar store URL)")
        # Fail at config time, not halfway through a run, when a format cannot be inferred.
        if self.path is not None:
            self.format_of(self.path)
        if self.quotes_path is not None:
            self.format_of(self.quotes_path)
        return self

    @property
    def frequency_ns(self) -> int:
        """Bar spacing in nanoseconds."""
        return parse_duration(self.frequency)

    @property
    def calendar_name(self) -> str:
        """The effective trading calendar (explicit value or the asset-class default)."""
        return self.calendar or _DEFAULT_CALENDAR[self.asset_class]

    @property
    def session_tz(self) -> str:
        """The effective session time zone (explicit value or the asset-class default)."""
        return self.session_timezone or _DEFAULT_SESSION_TZ[self.asset_class]

    def format_of(self, path: Path) -> FileFormat:
        """Return the format to read ``path`` with: ``format`` if set, else from its suffix.

        Raises
        ------
        ValueError
            When ``format`` is unset and the suffix is not ``.csv``, ``.parquet`` or ``.pq``.
        """
        if self.format is not None:
            return self.format
        inferred = _SUFFIX_FORMATS.get(path.suffix.lower())
        if inferred is None:
            raise ValueError(
                f"cannot infer the format of {str(path)!r} from its suffix; "
                "set format: csv or format: parquet"
            )
        return inferred
