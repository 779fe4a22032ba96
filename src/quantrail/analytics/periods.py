"""How many bars make a year, per asset class, for annualising returns and volatility."""

from __future__ import annotations

from dataclasses import dataclass

from quantrail.core.time import NANOS_PER_DAY

__all__ = ["periods_per_year"]

_NANOS_PER_HOUR = 3_600 * 1_000_000_000
_DAYS_PER_CALENDAR_YEAR = 365.25
_WEEK_DAYS = 7


@dataclass(frozen=True, slots=True)
class _Calendar:
    days_per_year: float
    hours_per_day: float


_CALENDARS: dict[str, _Calendar] = {
    # NYSE-style: 252 sessions of 09:30-16:00 (390 minutes).
    "equity": _Calendar(days_per_year=252.0, hours_per_day=6.5),
    "crypto": _Calendar(days_per_year=365.0, hours_per_day=24.0),
    # FX trades around the clock on weekdays only.
    "fx": _Calendar(days_per_year=260.0, hours_per_day=24.0),
}
_ALIASES = {"equities": "equity", "stock": "equity", "stocks": "equity", "forex": "fx"}


def periods_per_year(frequency_ns: int, asset_class: str) -> float:
    """Return the number of bars of ``frequency_ns`` in one year of ``asset_class`` trading.

    Parameters
    ----------
    frequency_ns
        Bar length in nanoseconds (e.g. ``parse_duration("1min")``). Must be positive.
    asset_class
        ``"equity"`` (252 sessions of 6.5 h), ``"crypto"`` (365 days of 24 h) or
        ``"fx"`` (260 days of 24 h). Case-insensitive; ``"equities"``, ``"stock(s)"`` and
        ``"forex"`` are accepted as aliases.

    Returns
    -------
    float
        Bars per year. Intraday bars (shorter than a day) divide the trading hours of a year;
        bars of one day up to (not including) a week count trading days; bars of a week or
        longer span calendar time, so they divide 365.25 days whatever the asset class.

    Raises
    ------
    ValueError
        If ``frequency_ns`` is not a positive integer or ``asset_class`` is unknown.

    Examples
    --------
    >>> periods_per_year(86_400 * 10**9, "equity")
    252.0
    >>> periods_per_year(60 * 10**9, "crypto")
    525600.0
    """
    if isinstance(frequency_ns, bool) or not isinstance(frequency_ns, int) or frequency_ns <= 0:
        raise ValueError(f"frequency_ns must be a positive integer (ns), got {frequency_ns!r}")
    key = asset_class.strip().lower()
    key = _ALIASES.get(key, key)
    calendar = _CALENDARS.get(key)
    if calendar is None:
        known = ", ".join(sorted(_CALENDARS))
        raise ValueError(f"unknown asset_class {asset_class!r}: expected one of {known}")

    if frequency_ns < NANOS_PER_DAY:
        # An hour bar on a 6.5 h session is 6.5 bars a day: a fractional count is the
        # honest number of independent observations, so it is not rounded.
        nanos_per_day = calendar.hours_per_day * _NANOS_PER_HOUR
        return calendar.days_per_year * nanos_per_day / frequency_ns
    if frequency_ns < _WEEK_DAYS * NANOS_PER_DAY:
        return calendar.days_per_year * NANOS_PER_DAY / frequency_ns
    # A weekly bar covers a calendar week for every market (weekends included), so
    # "252 / 7" would be wrong for equities; divide calendar time instead.
    return _DAYS_PER_CALENDAR_YEAR * NANOS_PER_DAY / frequency_ns
