"""Trading modes and what each lets through.

ACTIVE runs every rule. REDUCE_ONLY lets an order through only if it cannot increase the
absolute position, counting the worst case (the position plus every working order on the same
side plus this one). HALTED refuses everything except the engine's own flattening orders,
which carry ``{"risk_flatten": True}`` in their intent state and must reduce.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FLATTEN_KEY", "RiskMode", "reduces", "strictest"]

FLATTEN_KEY = "risk_flatten"


class RiskMode(StrEnum):
    ACTIVE = "active"
    REDUCE_ONLY = "reduce_only"
    HALTED = "halted"

    @property
    def level(self) -> int:
        """How restrictive: ACTIVE 0 < REDUCE_ONLY 1 < HALTED 2."""
        return _LEVEL[self]


_LEVEL = {RiskMode.ACTIVE: 0, RiskMode.REDUCE_ONLY: 1, RiskMode.HALTED: 2}


def strictest(*modes: RiskMode) -> RiskMode:
    """The most restrictive of ``modes`` (ACTIVE when none)."""
    return max(modes, key=lambda m: m.level, default=RiskMode.ACTIVE)


def reduces(position: float, projected: float) -> bool:
    """True when going from ``position`` to ``projected`` cannot increase the exposure.

    Crossing through zero (a long becoming a short) is not a reduction: the new side is a
    fresh position.
    """
    return abs(projected) <= abs(position) and projected * position >= 0
