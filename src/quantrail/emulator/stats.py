"""Counters that make the emulator's behaviour, and every injected fault, observable."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["EmulatorStats", "RequestRecord"]


@dataclass(frozen=True)
class RequestRecord:
    """One REST request as the emulator saw it: path, query and the status it answered."""

    path: str
    query: tuple[tuple[str, str], ...]
    status: int

    def param(self, name: str) -> str | None:
        """The first value of query parameter ``name``, or None."""
        for key, value in self.query:
            if key == name:
                return value
        return None


@dataclass
class EmulatorStats:
    """What the emulator did so far. Read ``emu.stats``; it is updated in place.

    Attributes
    ----------
    connections : int
        Websocket connections accepted.
    open_connections : int
        Websocket connections currently open.
    messages_sent : int
        Data frames written to websockets, duplicates included (control frames excluded).
    drops, stalls, duplicates_sent, reordered : int
        Websocket faults carried out.
    requests : Counter
        REST requests per path, faulted ones included.
    data_requests : int
        REST data requests (the ones fault numbers refer to).
    responses_429, responses_500, rejected : int
        REST answers 429, 500 and 4xx for rejected symbols; ``rejected`` also counts refused
        websocket subscriptions.
    request_log : list of RequestRecord
        Every REST request in arrival order.
    """

    connections: int = 0
    open_connections: int = 0
    messages_sent: int = 0
    drops: int = 0
    stalls: int = 0
    duplicates_sent: int = 0
    reordered: int = 0
    requests: Counter[str] = field(default_factory=Counter)
    data_requests: int = 0
    responses_429: int = 0
    responses_500: int = 0
    rejected: int = 0
    request_log: list[RequestRecord] = field(default_factory=list)

    def snapshot(self) -> EmulatorStats:
        """A deep copy, safe to read while the emulator keeps running."""
        return copy.deepcopy(self)

    def requests_to(self, path_suffix: str, status: int | None = None) -> list[RequestRecord]:
        """Logged requests whose path ends with ``path_suffix`` (and had ``status``, if given)."""
        return [
            r
            for r in self.request_log
            if r.path.endswith(path_suffix) and (status is None or r.status == status)
        ]
