import ast
from pathlib import Path

import quantrail.analytics as analytics

EXPECTED = {
    "FILL_COLUMNS",
    "METRIC_KEYS",
    "TRADE_COLUMNS",
    "PBOResult",
    "TradeMonteCarlo",
    "compute_metrics",
    "deflated_sharpe_ratio",
    "drawdown_series",
    "expected_max_sharpe",
    "monthly_returns",
    "per_period_sharpe",
    "periods_per_year",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "round_trips",
    "top_trades_profit_share",
    "trade_monte_carlo",
    "write_report",
}


def test_all_is_explicit_and_complete() -> None:
    assert set(analytics.__all__) == EXPECTED
    assert len(analytics.__all__) == len(EXPECTED)
    for name in analytics.__all__:
        assert hasattr(analytics, name), name


def test_star_import_exports_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from quantrail.analytics import *", namespace)
    assert set(namespace) - {"__builtins__"} == EXPECTED


def test_imports_only_core_from_quantrail() -> None:
    package_dir = Path(analytics.__file__).parent
    for source in package_dir.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("quantrail"):
                    assert name.startswith(("quantrail.core", "quantrail.analytics")), (
                        f"{source.name} imports {name}"
                    )
