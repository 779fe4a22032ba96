"""Research: vectorized screening, parameter sweeps and search, local or on a Dask cluster.

- ``research.fast``: the built-in strategies as numba kernels with the event engine's fills and
  costs, many parameter sets per call (:func:`fast_backtest`, :func:`run_fast`).
- :func:`sweep`: grid, random, TPE and NSGA-II search with a JSONL trial log and resume.
- :func:`write_sweep_outputs`: results.csv, best.json and report.html of a sweep.

See docs/research.md. Names load on first use: numba, optuna and plotly take a second or more
to import, which code using only a subpackage (``research.evaluation``) should not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quantrail.research.fast import (
        FAST_STRATEGIES,
        FastBatch,
        FastPathUnsupported,
        FastResult,
        Market,
        check_fast_support,
        fast_backtest,
        inert_risk,
        load_market,
        run_fast,
        strategy_params,
        unsupported_reason,
    )
    from quantrail.research.grid import Axis, GridSpecError, grid_points, parse_axis, parse_grid
    from quantrail.research.report import results_frame, write_sweep_outputs
    from quantrail.research.search import Objective, parse_objectives
    from quantrail.research.sweeper import SweepResult, sweep
    from quantrail.research.trials import TrialLog, TrialRecord, read_trial_log

_HOME = {
    **dict.fromkeys(
        (
            "FAST_STRATEGIES", "FastBatch", "FastPathUnsupported", "FastResult", "Market",
            "check_fast_support", "fast_backtest", "inert_risk", "load_market", "run_fast",
            "strategy_params", "unsupported_reason",
        ),
        "quantrail.research.fast",
    ),
    **dict.fromkeys(
        ("Axis", "GridSpecError", "grid_points", "parse_axis", "parse_grid"),
        "quantrail.research.grid",
    ),
    **dict.fromkeys(("results_frame", "write_sweep_outputs"), "quantrail.research.report"),
    **dict.fromkeys(("Objective", "parse_objectives"), "quantrail.research.search"),
    **dict.fromkeys(("SweepResult", "sweep"), "quantrail.research.sweeper"),
    **dict.fromkeys(("TrialLog", "TrialRecord", "read_trial_log"), "quantrail.research.trials"),
}  # fmt: skip


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'quantrail.research' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "FAST_STRATEGIES",
    "Axis",
    "FastBatch",
    "FastPathUnsupported",
    "FastResult",
    "GridSpecError",
    "Market",
    "Objective",
    "SweepResult",
    "TrialLog",
    "TrialRecord",
    "check_fast_support",
    "fast_backtest",
    "grid_points",
    "inert_risk",
    "load_market",
    "parse_axis",
    "parse_grid",
    "parse_objectives",
    "read_trial_log",
    "results_frame",
    "run_fast",
    "strategy_params",
    "sweep",
    "unsupported_reason",
    "write_sweep_outputs",
]
