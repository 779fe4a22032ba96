"""The staleness timer: which open instruments have been silent for too long."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from quantrail.core.time import NANOS_PER_SECOND
from quantrail.data.feeds.events import IsOpenFn

__all__ = ["StalenessMonitor", "always_open"]


def always_open(symbol: str, ts_ns: int) -> bool:
    """Default session rule: every instrument trades around the clock (crypto)."""
    return True


class StalenessMonitor:
    """Per-instrument silence timers that only run while the instrument's session is open.

    A symbol's timer starts when the connection is (re)established, restarts on every
    trade or quote for it, and is held at "now" whenever :meth:`check` sees its session
    closed, so the overnight silence of an equity never counts and the allowance starts
    afresh at the open. A symbol is stale once its timer exceeds its threshold.

    Parameters
    ----------
    stale_after_s : float, mapping or None
        Seconds of silence that mean a dead connection. A mapping sets it per symbol, with
        the key ``"*"`` as the default for symbols it does not name; ``None`` (or a mapping
        value of ``None``) disables the check.
    is_open : callable, optional
        ``is_open(symbol, ts_ns)``; default :func:`always_open`.
    """

    __slots__ = ("_after", "_closed", "_default", "_is_open", "_since")

    def __init__(
        self,
        stale_after_s: float | Mapping[str, float | None] | None,
        is_open: IsOpenFn = always_open,
    ) -> None:
        if stale_after_s is None or isinstance(stale_after_s, int | float):
            per_symbol: dict[str, float | None] = {}
            default = None if stale_after_s is None else float(stale_after_s)
        else:
            per_symbol = dict(stale_after_s)
            default = per_symbol.pop("*", None)
        for key, value in [*per_symbol.items(), ("*", default)]:
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ValueError(f"stale_after for {key} must be > 0 seconds, got {value}")
        self._after = {
            symbol: None if value is None else round(value * NANOS_PER_SECOND)
            for symbol, value in per_symbol.items()
        }
        self._default = None if default is None else round(default * NANOS_PER_SECOND)
        self._is_open = is_open
        self._since: dict[str, int] = {}
        self._closed: set[str] = set()

    @property
    def enabled(self) -> bool:
        """Whether any symbol has a threshold (a feed skips its watchdog otherwise)."""
        return self._default is not None or any(v is not None for v in self._after.values())

    def threshold_ns(self, symbol: str) -> int | None:
        """The silence allowance of ``symbol`` in nanoseconds, or None when unchecked."""
        return self._after.get(symbol, self._default)

    def reset(self, symbols: Iterable[str], now_ns: int) -> None:
        """Start every timer at ``now_ns`` (a fresh connection has not had time to talk)."""
        self._since = dict.fromkeys(symbols, now_ns)

    def add(self, symbols: Iterable[str], now_ns: int) -> None:
        """Start timers for newly subscribed symbols."""
        for symbol in symbols:
            self._since.setdefault(symbol, now_ns)

    def touch(self, symbol: str, now_ns: int) -> None:
        """Record data for ``symbol`` at ``now_ns``."""
        if symbol in self._since:
            self._since[symbol] = max(self._since[symbol], now_ns)

    def touch_all(self, now_ns: int) -> None:
        """Restart every timer (after the feed itself was busy, e.g. backfilling)."""
        for symbol in self._since:
            self._since[symbol] = max(self._since[symbol], now_ns)

    def check(self, now_ns: int) -> list[str]:
        """Return the symbols that are open and silent beyond their threshold, sorted."""
        stale = []
        for symbol, since in self._since.items():
            limit = self.threshold_ns(symbol)
            if limit is None:
                continue
            if not self._is_open(symbol, now_ns):
                self._closed.add(symbol)
                self._since[symbol] = now_ns
            elif symbol in self._closed:
                # Opened since the last check: the allowance starts now, not at that check.
                self._closed.discard(symbol)
                self._since[symbol] = now_ns
            elif now_ns - since > limit:
                stale.append(symbol)
        return sorted(stale)
