"""The ``risk:`` section of a run config: composes the configs that live beside each rule.

The per-order and per-instrument limits stay flat keys (``max_order_quantity``,
``max_position_pct``, ...), as they always were, so existing YAML keeps validating; the newer
rules are nested sections named after them. Each rule's documentation is on its own config.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from quantrail.risk.kill_switch import KillSwitchConfig
from quantrail.risk.rules.concentration import ConcentrationConfig
from quantrail.risk.rules.correlation import CorrelationConfig
from quantrail.risk.rules.daily_loss import DailyLossConfig
from quantrail.risk.rules.drawdown import DrawdownConfig
from quantrail.risk.rules.entry import EntryConfig
from quantrail.risk.rules.frequency import FrequencyConfig
from quantrail.risk.rules.gross_exposure import GrossExposureConfig
from quantrail.risk.rules.order_size import OrderSizeConfig
from quantrail.risk.rules.position_limit import PositionLimitConfig
from quantrail.risk.rules.protective_exit import ProtectiveExitConfig
from quantrail.risk.rules.signal import SignalConfig
from quantrail.risk.rules.stale_data import StaleDataConfig

__all__ = ["RiskConfig"]


# Bases in reverse so the flat keys list in the usual order (pydantic walks the MRO backwards).
class RiskConfig(StaleDataConfig, GrossExposureConfig, PositionLimitConfig, OrderSizeConfig):
    """Every risk limit. ``None`` (or ``false``) disables a limit.

    Flat keys (inherited): max_order_quantity, max_order_notional (OrderSizeConfig);
    max_position_quantity, max_position_notional, max_position_pct = 0.10
    (PositionLimitConfig); max_gross_exposure (GrossExposureConfig); max_price_age
    (StaleDataConfig).

    entry: spread, bar volume and market-hours checks on entries.
    protective_exits: stops required before entries; warnings for unprotected positions.
    signal: limit/stop prices far from the market; contradictory intents.
    frequency: orders per minute and per trading day.
    daily_loss: session loss that switches to REDUCE_ONLY (default 5 %).
    drawdown: fall from the equity peak that cancels, flattens and halts (default 15 %).
    concentration: largest share of gross exposure per tag value (sector, asset class).
    correlation: correlated symbols count as one exposure for max_position_pct.
    kill_switch: the sentinel file that halts trading.
    state_path: SQLite file that keeps the HALTED / REDUCE_ONLY latch and its change log across
        restarts; ``None`` keeps it in memory (a backtest starts ACTIVE every time).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    entry: EntryConfig = Field(default_factory=EntryConfig)
    protective_exits: ProtectiveExitConfig = Field(default_factory=ProtectiveExitConfig)
    signal: SignalConfig = Field(default_factory=SignalConfig)
    frequency: FrequencyConfig = Field(default_factory=FrequencyConfig)
    daily_loss: DailyLossConfig = Field(default_factory=DailyLossConfig)
    drawdown: DrawdownConfig = Field(default_factory=DrawdownConfig)
    concentration: ConcentrationConfig = Field(default_factory=ConcentrationConfig)
    correlation: CorrelationConfig = Field(default_factory=CorrelationConfig)
    kill_switch: KillSwitchConfig = Field(default_factory=KillSwitchConfig)
    state_path: str | None = None
