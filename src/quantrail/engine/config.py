"""The run configuration: composes the config classes that live beside each component."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from quantrail.data.config import DataConfig
from quantrail.execution.config import ExecutionConfig
from quantrail.risk.engine import RiskConfig

__all__ = ["RunConfig", "StrategyConfig"]


class StrategyConfig(BaseModel):
    """name: a built-in strategy name or ``package.module:ClassName``.
    params: the strategy's parameters, validated against its ``Params`` model.
    id: the strategy id that prefixes its client order ids.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    id: str = Field("S1", pattern=r"^[A-Za-z0-9_]{1,32}$")


class RunConfig(BaseModel):
    """One backtest: which data, which strategy, what fills cost, which limits apply."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "backtest"
    data: list[DataConfig] = Field(min_length=1)
    strategy: StrategyConfig
    execution: ExecutionConfig = ExecutionConfig()
    risk: RiskConfig = RiskConfig()
