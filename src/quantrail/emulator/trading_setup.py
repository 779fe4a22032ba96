"""How the emulator trades: the fill model to use, the account and where it is kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quantrail.emulator.trading_book import MatcherFactory
from quantrail.emulator.trading_faults import TradingFaultPlan

__all__ = ["TradingSetup"]


@dataclass(frozen=True)
class TradingSetup:
    """How the emulator trades. Pass as ``VenueEmulator(..., trading=TradingSetup(...))``.

    Parameters
    ----------
    matcher : MatcherFactory
        ``(listener, clock) -> fill model``; normally
        ``lambda l, c: FillSimulator(config, instruments, l, c)``. Use ``latency: 0s``: the
        network between client and emulator is the latency.
    cash : float
        Starting cash of the account.
    state_path : path, optional
        JSON file the account is kept in. An existing file is resumed.
    faults : TradingFaultPlan
        Trading faults (replaceable later with ``set_faults``).
    symbols : sequence of str, optional
        Tradable symbols (default: every script symbol with bars).
    session_tz : str
        Zone whose local date is an equity bar's session (crypto: UTC).
    volatility_window : int
        Bars of the trailing sigma handed to the fill model with each bar.
    bar_pace : float, optional
        Advance one step every ``bar_pace`` seconds by itself; None: only ``advance_bars``.
    """

    matcher: MatcherFactory
    cash: float = 100_000.0
    state_path: str | Path | None = None
    faults: TradingFaultPlan = field(default_factory=TradingFaultPlan)
    symbols: Sequence[str] | None = None
    session_tz: str = "America/New_York"
    volatility_window: int = 20
    bar_pace: float | None = None
