"""The error tree. Callers catch by what they must do, not by where it came from.

::

    QuantrailError
     ├─ ConfigError            fix the config; CLI exit code 2
     ├─ DataError              reject the input; names the file, row and rule
     ├─ VenueError
     │   ├─ VenueUnavailable   retry with backoff (adapter only)
     │   │   └─ RateLimited    back off longer
     │   └─ VenueRejected      do not retry; becomes an OrderRejected event
     ├─ StrategyError          user code raised; that strategy stops
     └─ InvariantViolation     bug or corrupt state: crash; restart reconciles
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "InvariantViolation",
    "QuantrailError",
    "RateLimited",
    "StrategyError",
    "VenueError",
    "VenueRejected",
    "VenueUnavailable",
]


class QuantrailError(Exception):
    """Base of every error quantrail raises on purpose."""

    exit_code = 1


class ConfigError(QuantrailError):
    """The run configuration is invalid; the message names the field path and the fix."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message if path is None else f"{path}: {message}")
        self.path = path


class DataError(QuantrailError):
    """Input data breaks a rule; carries the file, row and rule when known."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        rule: str | None = None,
    ) -> None:
        where = []
        if source is not None:
            where.append(str(source))
        if row is not None:
            where.append(f"row {row}")
        if rule is not None:
            where.append(f"rule {rule}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)
        self.source = source
        self.row = row
        self.rule = rule


class VenueError(QuantrailError):
    """A venue (simulated or real) did not do what was asked."""


class VenueUnavailable(VenueError):
    """Transient: the venue could not be reached or timed out."""


class RateLimited(VenueUnavailable):
    """The venue asked us to slow down; ``retry_after`` is its wait in seconds, if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class VenueRejected(VenueError):
    """The venue refused the request; retrying will not help."""


class StrategyError(QuantrailError):
    """A strategy callback raised; the original exception is chained."""

    exit_code = 4


class InvariantViolation(QuantrailError):
    """Internal state broke an invariant (a bug or corrupt state)."""

    exit_code = 70
