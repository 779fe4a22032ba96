"""A pass/fail verdict with its reasons, shared by every evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HEADLINE", "Verdict", "headline"]

HEADLINE = ("total_return", "cagr", "sharpe", "max_drawdown", "num_trades")
"""The metrics every evaluation table shows."""


@dataclass(frozen=True)
class Verdict:
    """``passed`` and, when it failed, why (one reason per failed check)."""

    passed: bool
    reasons: tuple[str, ...] = ()

    @staticmethod
    def of(failures: list[str]) -> Verdict:
        return Verdict(not failures, tuple(failures))

    def __str__(self) -> str:
        return "PASS" if self.passed else "FAIL: " + "; ".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "reasons": list(self.reasons), "text": str(self)}


def headline(metrics: dict[str, Any]) -> dict[str, Any]:
    """The :data:`HEADLINE` subset of a metrics dict (missing keys are ``None``)."""
    return {key: metrics.get(key) for key in HEADLINE}
