"""Cost stress: rerun with every trading cost multiplied, and see whether the edge survives.

A multiplier ``k`` scales every cost the fill simulator charges: the commission (per share,
minimum, maximum, percent, fixed), the quoted spread and all three slippage terms (fixed bps,
volatility factor, impact factor). Nothing else changes, so with fixed-size orders a higher
multiplier can only lower the P&L.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from quantrail.engine.config import RunConfig
from quantrail.engine.run import run_backtest
from quantrail.execution.config import ExecutionConfig
from quantrail.research.evaluation.verdict import Verdict, headline

__all__ = ["CostStressResult", "cost_stress", "scale_costs"]


@dataclass(frozen=True)
class CostStressResult:
    """One row per multiplier; ``equity`` holds each run's curve."""

    table: pd.DataFrame
    equity: dict[float, pd.Series]
    required: float
    verdict: Verdict


def scale_costs(execution: ExecutionConfig, k: float) -> ExecutionConfig:
    """``execution`` with every cost multiplied by ``k`` (>= 0); the percent fee caps at 100."""
    if not k >= 0:
        raise ValueError(f"a cost multiplier must be >= 0, got {k}")
    c = execution.commission
    commission = c.model_copy(
        update={
            "per_share": c.per_share * k,
            "minimum": c.minimum * k,
            "maximum": None if c.maximum is None else c.maximum * k,
            "percent": min(c.percent * k, 100.0),
            "fixed": c.fixed * k,
        }
    )
    s = execution.slippage
    slippage = s.model_copy(
        update={
            "fixed_bps": s.fixed_bps * k,
            "volatility_factor": s.volatility_factor * k,
            "impact_factor": s.impact_factor * k,
        }
    )
    update = {
        "commission": commission,
        "slippage": slippage,
        "spread_bps": execution.spread_bps * k,
    }
    return execution.model_copy(update=update)


def cost_stress(
    config: RunConfig,
    *,
    multipliers: Sequence[float] = (1.0, 2.0, 3.0),
    required: float = 2.0,
    min_sharpe: float = 0.0,
    base_dir: Path | None = None,
) -> CostStressResult:
    """Run the config with costs x each multiplier on the whole data.

    The edge survives a multiplier when the total return is positive and the Sharpe ratio is
    defined and above ``min_sharpe``. The verdict passes when it survives every multiplier up
    to ``required`` (the ones above are reported, not judged).
    """
    ks = sorted({1.0, *(float(m) for m in multipliers)})
    rows = []
    equity = {}
    for k in ks:
        scaled = config.model_copy(update={"execution": scale_costs(config.execution, k)})
        result = run_backtest(scaled, base_dir=base_dir)
        fills = result.fills
        costs = float((fills["commission"] + fills["spread_cost"] + fills["slippage_cost"]).sum())
        row: dict[str, Any] = {"multiplier": k, **headline(result.metrics), "costs": costs}
        row["final_equity"] = result.final_equity
        row["survives"] = _survives(result.metrics, min_sharpe)
        rows.append(row)
        equity[k] = result.equity
    table = pd.DataFrame(rows)
    failures = [
        f"the edge does not survive costs x{row['multiplier']:g}"
        for row in rows
        if row["multiplier"] <= required and not row["survives"]
    ]
    return CostStressResult(table, equity, required, Verdict.of(failures))


def _survives(metrics: dict[str, Any], min_sharpe: float) -> bool:
    sharpe = metrics.get("sharpe")
    total = metrics.get("total_return")
    return sharpe is not None and total is not None and total > 0 and sharpe > min_sharpe
