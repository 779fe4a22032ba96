"""The result of validating a :class:`~quantrail.data.frame.BarFrame`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from quantrail.core.errors import DataError
from quantrail.data.frame import iso_utc

__all__ = ["Example", "Issue", "QualityReport", "Severity"]

Severity = Literal["fatal", "warning"]


def _json_number(value: float) -> float | str:
    # JSON has no NaN or infinity; spell them out rather than emit invalid JSON.
    return value if math.isfinite(value) else str(value)


@dataclass(frozen=True, slots=True)
class Example:
    """One offending row.

    Attributes
    ----------
    row : int
        Line number in the file (record number for Parquet).
    bar_start : str
        The bar's start (``ts_open``) in ISO-8601 UTC.
    values : dict of str to float
        The row's open, high, low, close, volume (and bid, ask when present).
    detail : str
        What is wrong with this row, e.g. ``"bar start ... repeats row 6"``.
    """

    row: int
    bar_start: str
    values: dict[str, float]
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable form; ``row`` is written as ``"line"``, and non-finite numbers as
        ``"nan"``, ``"inf"``."""
        values = {k: _json_number(v) for k, v in self.values.items()}
        return {
            "line": self.row,
            "bar_start": self.bar_start,
            "values": values,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Issue:
    """All rows breaking one rule.

    Attributes
    ----------
    rule : str
        Rule name, e.g. ``"duplicate_timestamp"``.
    severity : {"fatal", "warning"}
        ``fatal`` rows make the data unusable for a backtest; ``warning`` rows are reported.
    count : int
        How many rows (for ``zero_volume_run``: how many runs) break the rule.
    description : str
        What the rule checks.
    examples : tuple of Example
        The first few offending rows in file order.
    """

    rule: str
    severity: Severity
    count: int
    description: str
    examples: tuple[Example, ...]

    @property
    def first_row(self) -> int | None:
        """Line number of the first offending row, if any example was kept."""
        return self.examples[0].row if self.examples else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable form."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "count": self.count,
            "description": self.description,
            "examples": [e.to_dict() for e in self.examples],
        }


@dataclass(frozen=True)
class QualityReport:
    """Data-quality findings for one file.

    Attributes
    ----------
    source : str
        The file, as configured.
    symbol : str
        The frame's symbol.
    rows : int
        Number of bars checked.
    first_ts, last_ts : int or None
        Earliest and latest ``ts`` (UTC ns when known); None for an empty frame.
    issues : list of Issue
        One entry per rule that found something, fatal rules first.
    rules_checked : tuple of str
        Every rule that was run (``crossed_quote`` only when the frame has quotes).
    """

    source: str
    symbol: str
    rows: int
    first_ts: int | None
    last_ts: int | None
    issues: list[Issue] = field(default_factory=list)
    rules_checked: tuple[str, ...] = ()

    @property
    def fatal(self) -> list[Issue]:
        """The issues that make the data unusable."""
        return [i for i in self.issues if i.severity == "fatal"]

    @property
    def warnings(self) -> list[Issue]:
        """The issues that are reported but do not stop a run."""
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no fatal issue (warnings allowed)."""
        return not self.fatal

    def issue(self, rule: str) -> Issue | None:
        """The issue for ``rule``, or None when that rule found nothing."""
        return next((i for i in self.issues if i.rule == rule), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable form (``json.dumps(report.to_dict(), allow_nan=False)`` works)."""
        return {
            "source": self.source,
            "symbol": self.symbol,
            "rows": self.rows,
            "first_ts": None if self.first_ts is None else iso_utc(self.first_ts),
            "last_ts": None if self.last_ts is None else iso_utc(self.last_ts),
            "first_ts_ns": self.first_ts,
            "last_ts_ns": self.last_ts,
            "ok": self.ok,
            "rules_checked": list(self.rules_checked),
            "issues": [i.to_dict() for i in self.issues],
        }

    def raise_if_fatal(self) -> None:
        """Raise if any fatal issue was found; otherwise return.

        Raises
        ------
        DataError
            Naming the file, the earliest offending line among all fatal issues, its rule and
            what is wrong, plus a count of the other fatal issues.
        """
        fatal = self.fatal
        if not fatal:
            return
        first = min(fatal, key=lambda i: i.first_row if i.first_row is not None else 2**62)
        message = first.examples[0].detail if first.examples else first.description
        others = [f"{i.rule} x{i.count}" for i in fatal]
        if len(others) > 1 or first.count > 1:
            message += f" (fatal in all: {', '.join(others)})"
        raise DataError(message, source=self.source, row=first.first_row, rule=first.rule)
