"""Recording a feed session as JSON Lines, and reading a recording back."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TextIO

from quantrail.core.errors import DataError
from quantrail.data.feeds.events import Trade

__all__ = ["RECORDING_VERSION", "RecordEntry", "Recorder", "read_recording"]

RECORDING_VERSION = 1
"""Written in every line as ``"v"``; bumped when the format changes incompatibly."""

EntryKind = Literal["connect", "subscribe", "message", "backfill", "disconnect"]
_KINDS = frozenset(("connect", "subscribe", "message", "backfill", "disconnect"))


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One line of a recording.

    Attributes
    ----------
    recv_ns : int
        Clock time at which the feed consumed it.
    source : str
        The transport's name (``"alpaca"``, ``"ccxt:binance"``), which picks the parser.
    kind : {"connect", "subscribe", "message", "backfill", "disconnect"}
        ``message``: one raw venue payload. ``backfill``: a REST answer, as normalised trades.
        ``connect``/``disconnect``: connection boundaries (``detail`` holds the symbols and
        pipeline settings, or the reason), so a replay reconnects and backfills where the
        session did. ``subscribe``: symbols added on a live connection.
    payload : Any
        The raw payload (``message``) or a list of trade dicts (``backfill``).
    detail : dict
        ``symbols`` and ``pipeline`` for ``connect``; ``symbols`` for ``subscribe``;
        ``reason`` for ``disconnect``; ``symbol``, ``since_ns``, ``until_ns`` (and
        ``failed``) for ``backfill``.
    """

    recv_ns: int
    source: str
    kind: EntryKind
    payload: Any = None
    detail: dict[str, Any] = field(default_factory=dict)


class Recorder:
    """Appends every raw message a feed consumes to a JSONL file.

    Each line is one JSON object: ``{"v", "recv_ns", "source", "kind", "payload", "detail"}``.
    Lines are written and flushed one at a time, so a crash loses at most the line being
    written, and the file can be tailed while recording. The writes are synchronous: a line
    is small and a local append is far faster than the network that produced it.

    Parameters
    ----------
    path : Path
        File to create (parents are created; an existing file is appended to).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO | None = self.path.open("a", encoding="utf-8")
        self.lines = 0

    def write(
        self,
        recv_ns: int,
        source: str,
        kind: EntryKind,
        payload: Any = None,
        **detail: Any,
    ) -> None:
        """Append one entry. Values JSON cannot encode are written as their ``str``."""
        if self._file is None:
            raise ValueError(f"recorder {self.path} is closed")
        line = {
            "v": RECORDING_VERSION,
            "recv_ns": recv_ns,
            "source": source,
            "kind": kind,
            "payload": payload,
            "detail": detail,
        }
        self._file.write(json.dumps(line, separators=(",", ":"), default=str) + "\n")
        self._file.flush()
        self.lines += 1

    def write_backfill(
        self,
        recv_ns: int,
        source: str,
        symbol: str,
        since_ns: int,
        until_ns: int,
        trades: Sequence[Trade] | None,
        failed: bool = False,
    ) -> None:
        """Append a backfill answer as normalised trade dicts (or a failure, ``failed=True``)."""
        payload = None if trades is None else [asdict(t) for t in trades]
        detail: dict[str, Any] = {"symbol": symbol, "since_ns": since_ns, "until_ns": until_ns}
        if failed:
            detail["failed"] = True
        self.write(recv_ns, source, "backfill", payload, **detail)

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_recording(path: Path) -> Iterator[RecordEntry]:
    """Yield the entries of a recording in file order.

    Raises
    ------
    DataError
        The file is missing, a line is not JSON, or an entry lacks a field or has an
        unknown kind or version (naming the line).
    """
    source = str(path)
    if not Path(path).is_file():
        raise DataError("recording not found", source=source)
    with Path(path).open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                raw = json.loads(text)
                if raw.get("v") != RECORDING_VERSION:
                    raise ValueError(f"unsupported version {raw.get('v')!r}")
                if raw["kind"] not in _KINDS:
                    raise ValueError(f"unknown kind {raw['kind']!r}")
                entry = RecordEntry(
                    recv_ns=int(raw["recv_ns"]),
                    source=str(raw["source"]),
                    kind=raw["kind"],
                    payload=raw.get("payload"),
                    detail=dict(raw.get("detail") or {}),
                )
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise DataError(f"bad recording entry: {exc}", source=source, row=number) from exc
            yield entry
