"""Time units and duration parsing. Internally every timestamp is UTC nanoseconds (int)."""

from __future__ import annotations

import re

__all__ = [
    "NANOS_PER_DAY",
    "NANOS_PER_MINUTE",
    "NANOS_PER_SECOND",
    "parse_duration",
]

NANOS_PER_SECOND = 1_000_000_000
NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND
NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "ms": 1_000_000,
    "s": NANOS_PER_SECOND,
    "min": NANOS_PER_MINUTE,
    "m": NANOS_PER_MINUTE,
    "h": 3_600 * NANOS_PER_SECOND,
    "d": NANOS_PER_DAY,
    "w": 7 * NANOS_PER_DAY,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s|min|m|h|d|w)\s*$")


def parse_duration(text: str | int | float) -> int:
    """Return nanoseconds from ``"250ms"``, ``"1min"``, ``"1d"`` or a number of seconds.

    Raises ValueError naming the text when it is not a non-negative duration.
    """
    if isinstance(text, bool):
        raise ValueError(f"duration must be text like '250ms' or seconds, got {text!r}")
    if isinstance(text, int | float):
        if text < 0 or text != text:
            raise ValueError(f"duration must be non-negative seconds, got {text!r}")
        return round(text * NANOS_PER_SECOND)
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(
            f"invalid duration {text!r}: use a number and one of ns, us, ms, s, min, h, d, w "
            "(e.g. '250ms', '1min', '1d')"
        )
    value, unit = match.groups()
    return round(float(value) * _UNITS[unit])
