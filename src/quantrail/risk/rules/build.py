"""Which pre-trade rules a config switches on, in the order they run.

Cheap, order-only rules first; rules that walk the portfolio or the order book later; the
frequency guardrail last, so an order refused for another reason says that reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quantrail.risk.rules.base import PreTradeRule
from quantrail.risk.rules.concentration import ConcentrationRule
from quantrail.risk.rules.correlation import CorrelationRule
from quantrail.risk.rules.entry import entry_rules
from quantrail.risk.rules.frequency import FrequencyRule
from quantrail.risk.rules.gross_exposure import GrossExposureRule
from quantrail.risk.rules.order_size import OrderSizeRule
from quantrail.risk.rules.position_limit import PositionLimitRule
from quantrail.risk.rules.protective_exit import RequireStopRule
from quantrail.risk.rules.signal import signal_rules
from quantrail.risk.rules.stale_data import StaleDataRule

if TYPE_CHECKING:
    from quantrail.risk.config import RiskConfig

__all__ = ["build_rules"]


def build_rules(config: RiskConfig) -> list[PreTradeRule]:
    """The rules ``config`` enables (order sanity and the mode gate are the engine's own)."""
    candidates: list[PreTradeRule | None] = [
        OrderSizeRule.build(config),
        *signal_rules(config.signal),
        StaleDataRule.build(config),
        *entry_rules(config.entry),
        # Always built: an intent can ask for a stop even when the config does not.
        RequireStopRule(config.protective_exits.require_stop_for_entries),
        PositionLimitRule.build(config),
        CorrelationRule.build(config.correlation, config.max_position_pct),
        GrossExposureRule.build(config),
        ConcentrationRule.build(config.concentration),
        FrequencyRule.build(config.frequency),
    ]
    return [rule for rule in candidates if rule is not None]
