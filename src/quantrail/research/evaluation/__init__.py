"""Evaluation that can disqualify a strategy: walk-forward, sensitivity, robustness, cost stress,
look-ahead detection and overfitting statistics, each with a verdict and a written report.

Every evaluation runs the event engine (``quantrail.engine.run_backtest``); windows of the data
are written to temporary files, so a window's run cannot see bars outside it. How to read the
results: docs/evaluation.md.
"""

from quantrail.research.evaluation.costs import CostStressResult, cost_stress, scale_costs
from quantrail.research.evaluation.lookahead import LookaheadResult, detect_lookahead
from quantrail.research.evaluation.params import expand_grid, parse_grid
from quantrail.research.evaluation.robustness import RobustnessResult, robustness, symbol_data
from quantrail.research.evaluation.runner import WindowedData, WindowRun
from quantrail.research.evaluation.sensitivity import (
    SensitivityBand,
    SensitivityResult,
    judge_sensitivity,
    sensitivity,
)
from quantrail.research.evaluation.stats import StatsResult, StatsThresholds, overfitting_stats
from quantrail.research.evaluation.verdict import Verdict
from quantrail.research.evaluation.walkforward import (
    FoldResult,
    WalkForwardResult,
    walk_forward,
    write_walk_forward,
)
from quantrail.research.evaluation.windows import (
    Fold,
    Window,
    equal_windows,
    make_folds,
    yearly_windows,
)
from quantrail.research.evaluation.writers import (
    write_lookahead,
    write_robustness,
    write_sensitivity,
    write_stats,
)

__all__ = [
    "CostStressResult",
    "Fold",
    "FoldResult",
    "LookaheadResult",
    "RobustnessResult",
    "SensitivityBand",
    "SensitivityResult",
    "StatsResult",
    "StatsThresholds",
    "Verdict",
    "WalkForwardResult",
    "Window",
    "WindowRun",
    "WindowedData",
    "cost_stress",
    "detect_lookahead",
    "equal_windows",
    "expand_grid",
    "judge_sensitivity",
    "make_folds",
    "overfitting_stats",
    "parse_grid",
    "robustness",
    "scale_costs",
    "sensitivity",
    "symbol_data",
    "walk_forward",
    "write_lookahead",
    "write_robustness",
    "write_sensitivity",
    "write_stats",
    "write_walk_forward",
    "yearly_windows",
]
