"""What the risk engine reports: denials of orders, events for the audit trail, and the actions
it asks the engine to take."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

__all__ = ["Denial", "RiskAction", "RiskEvent", "Severity", "Value"]

Value = float | str | None
Severity = Literal["deny", "warn", "halt", "reduce_only"]


@dataclass(frozen=True, slots=True)
class Denial:
    """Why an order must not go out.

    Attributes
    ----------
    rule : str
        The limit that refused it, e.g. ``"max_position_pct"``; stable, for filtering.
    reason : str
        One sentence naming the order, the rule and the value against the limit.
    values : dict
        The numbers the decision was made on (position, projected position, price, equity ...).
    limit : float, str or None
        The configured limit that was exceeded, when there is one.
    """

    rule: str
    reason: str
    values: dict[str, Value] = field(default_factory=dict)
    limit: Value = None


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """One entry of the risk log: a denial, a warning or a change of mode.

    ``severity`` is ``"deny"`` for a refused order, ``"warn"`` for something to look at (an
    unprotected position, a resume, a limit change), ``"halt"`` and ``"reduce_only"`` for the
    mode the engine entered.
    """

    ts_ns: int
    rule: str
    severity: Severity
    symbol: str | None
    message: str
    values: dict[str, Value] = field(default_factory=dict)


class RiskAction(StrEnum):
    """What the engine must do after a monitor fired, in the order given.

    CANCEL_ALL: cancel every working order (protective stops included).
    FLATTEN_ALL: send market orders closing every position, marked ``{"risk_flatten": True}``
        in the intent state so they pass the HALTED mode.
    HALT: the mode is now HALTED; nothing but flattening orders will pass.
    REDUCE_ONLY: the mode is now REDUCE_ONLY; cancel working orders that would increase a
        position (``RiskEngine.increasing_orders`` lists them), keep protective exits.
    """

    CANCEL_ALL = "cancel_all"
    FLATTEN_ALL = "flatten_all"
    HALT = "halt"
    REDUCE_ONLY = "reduce_only"
