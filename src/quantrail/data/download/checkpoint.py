"""The resume point of a download, written as JSON after every page."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from quantrail.core.errors import ConfigError

__all__ = ["Checkpoint"]

_VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    """Where a download stands. Times are UTC nanoseconds.

    ``cursor`` is where the next page starts (inclusive); ``last_bar_start`` is the start of
    the newest bar handed to the sink, so a resumed download drops anything at or before it.
    The identifying fields (source, symbol, frequency, start, end) must match on resume.
    """

    source: str
    symbol: str
    frequency: str
    start_ns: int
    end_ns: int
    cursor_ns: int
    last_bar_start_ns: int | None = None
    pages: int = 0
    rows: int = 0
    complete: bool = False

    def same_download(self, other: Checkpoint) -> bool:
        """True when both describe the same request."""
        keys = ("source", "symbol", "frequency", "start_ns", "end_ns")
        return all(getattr(self, k) == getattr(other, k) for k in keys)

    def advanced(self, cursor_ns: int, last_bar_start_ns: int | None, rows: int) -> Checkpoint:
        """The checkpoint after one more page."""
        last = self.last_bar_start_ns if last_bar_start_ns is None else last_bar_start_ns
        return replace(
            self,
            cursor_ns=cursor_ns,
            last_bar_start_ns=last,
            pages=self.pages + 1,
            rows=self.rows + rows,
        )

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename), so a crash never leaves half a checkpoint."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"version": _VERSION, **asdict(self)}, indent=2) + "\n")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint | None:
        """Read ``path``; None when it does not exist.

        Raises
        ------
        ConfigError
            When the file is not a checkpoint of this version.
        """
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"unreadable checkpoint: {exc}", path=str(path)) from exc
        if not isinstance(data, dict) or data.pop("version", None) != _VERSION:
            raise ConfigError("not a version-1 download checkpoint", path=str(path))
        try:
            return cls(**data)
        except TypeError as exc:
            raise ConfigError(f"malformed checkpoint: {exc}", path=str(path)) from exc
