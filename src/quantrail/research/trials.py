"""The trial log: one JSON line per trial, so every configuration tried is on record.

Line 1 is the sweep header (strategy, method, space, objectives, seed, config hash). Each later
line is a finished trial: its number, parameters, state, the engine that ran it and its
metrics. A statistic that corrects for multiple testing (the deflated Sharpe ratio) needs the
number of trials; this file is that count, including the trials that looked bad.

Lines are appended and flushed one trial at a time. A sweep that is interrupted leaves a valid
log, at worst with a half-written last line, which resuming drops; resuming checks that the
header matches and skips every trial number already logged.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from quantrail.core.errors import ConfigError

__all__ = ["TrialLog", "TrialRecord", "read_trial_log"]

TrialState = Literal["complete", "invalid", "failed"]


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None (they cannot be written as strict JSON)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


@dataclass(frozen=True)
class TrialRecord:
    """One trial.

    Attributes
    ----------
    trial : int
        The trial number: the grid position, or the order in which a search asked for it.
    params : dict
        The parameters the sweep varied.
    state : {"complete", "invalid", "failed"}
        ``invalid``: the strategy refused the parameters (e.g. fast >= slow); ``failed``: the
        backtest raised. Neither has metrics.
    engine : {"fast", "event"} or None
        Which engine produced the metrics.
    metrics : dict or None
        The run's metrics (as ``metrics.json``) plus ``final_equity``.
    values : list of float or None
        The objectives, in order; None where a metric is undefined (e.g. no Sharpe with fewer
        than two returns).
    error : str or None
        Why the trial is invalid or failed.
    """

    trial: int
    params: dict[str, Any]
    state: TrialState
    engine: Literal["fast", "event"] | None = None
    metrics: dict[str, Any] | None = None
    values: list[float | None] | None = None
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps({"kind": "trial", **_clean(asdict(self))}, allow_nan=False)

    @staticmethod
    def from_dict(row: dict[str, Any]) -> TrialRecord:
        return TrialRecord(
            trial=int(row["trial"]),
            params=dict(row["params"]),
            state=row["state"],
            engine=row.get("engine"),
            metrics=row.get("metrics"),
            values=row.get("values"),
            error=row.get("error"),
        )


def read_trial_log(path: Path) -> tuple[dict[str, Any] | None, list[TrialRecord]]:
    """Return the header and the trials of a log; a torn last line is dropped.

    Raises
    ------
    ConfigError
        A line other than the last cannot be read: the file is not a trial log, or was edited.
    """
    if not path.exists():
        return None, []
    lines = path.read_text(encoding="utf-8").splitlines()
    header: dict[str, Any] | None = None
    records: dict[int, TrialRecord] = {}
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                break  # the line being written when the sweep stopped
            raise ConfigError(f"{path}: line {i + 1} is not JSON; is this a trial log?") from None
        if row.get("kind") == "sweep":
            header = row
        elif row.get("kind") == "trial":
            record = TrialRecord.from_dict(row)
            records[record.trial] = record
    return header, [records[k] for k in sorted(records)]


@dataclass
class TrialLog:
    """Append-only trial log of one sweep.

    Parameters
    ----------
    path : Path
        The JSONL file.
    header : dict
        What identifies the sweep; a resumed log must have been written with the same one.
    resume : bool
        Continue an existing log. Without it an existing non-empty log is refused rather than
        overwritten: its trials count.
    """

    path: Path
    header: dict[str, Any]
    resume: bool = False
    records: dict[int, TrialRecord] = field(default_factory=dict)
    _handle: IO[str] | None = None

    def __post_init__(self) -> None:
        found, records = read_trial_log(self.path)
        if records or found is not None:
            if not self.resume:
                raise ConfigError(
                    f"{self.path} already holds a sweep; resume it (--resume) or choose another "
                    "output folder"
                )
            self._check_header(found)
            self.records = {r.trial: r for r in records}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Rewrite what was read: drops a torn last line so appends start on a fresh line.
        text = "".join(
            line + "\n"
            for line in [
                json.dumps({"kind": "sweep", **self.header}, allow_nan=False),
                *(r.to_json() for r in self.records.values()),
            ]
        )
        self.path.write_text(text, encoding="utf-8")
        self._handle = self.path.open("a", encoding="utf-8")

    def _check_header(self, found: dict[str, Any] | None) -> None:
        expected = json.loads(json.dumps({"kind": "sweep", **self.header}))
        if found is None:
            raise ConfigError(f"{self.path} has no sweep header; it cannot be resumed")
        for key, value in expected.items():
            if found.get(key) != value:
                raise ConfigError(
                    f"{self.path} was written by a different sweep ({key} was "
                    f"{found.get(key)!r}, now {value!r}); use another output folder"
                )

    def done(self) -> set[int]:
        """Trial numbers already logged."""
        return set(self.records)

    def append(self, record: TrialRecord) -> None:
        """Log one trial now (flushed), so an interruption loses at most the running ones."""
        self.records[record.trial] = record
        if self._handle is not None:
            self._handle.write(record.to_json() + "\n")
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
