"""`quantrail walkforward | sensitivity | robustness | stats | lookahead`: evaluations that can
disqualify a strategy. Each loads the run config, runs the evaluation, writes JSON, CSV and a
self-contained ``report.html`` into ``out`` and prints a summary with the verdict.

Each function returns whether the verdict passed, so the command can exit non-zero on FAIL
(useful as a gate in CI). Bad arguments raise ``ConfigError`` (exit code 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

from rich.console import Console
from rich.table import Table

from quantrail.config import LoadedConfig, load_run_config
from quantrail.core.errors import ConfigError
from quantrail.research.evaluation import (
    SensitivityBand,
    Verdict,
    cost_stress,
    detect_lookahead,
    overfitting_stats,
    parse_grid,
    robustness,
    sensitivity,
    symbol_data,
    walk_forward,
    write_lookahead,
    write_robustness,
    write_sensitivity,
    write_stats,
    write_walk_forward,
)

__all__ = [
    "lookahead_command",
    "robustness_command",
    "sensitivity_command",
    "stats_command",
    "walkforward_command",
]

T = TypeVar("T")


def walkforward_command(
    config_path: Path,
    out: Path,
    *,
    params: list[str],
    train: str,
    test: str,
    step: str | None = None,
    anchored: bool = False,
    metric: str = "sharpe",
    warmup: int = 0,
    min_efficiency: float = 0.5,
    overrides: list[str] | None = None,
) -> bool:
    """Walk-forward over ``params`` (``NAME=V1,V2``); lengths are bars ("252") or durations."""
    loaded = load_run_config(config_path, overrides)
    result = _checked(
        lambda: walk_forward(
            loaded.config,
            parse_grid(params),
            train=_length(train),
            test=_length(test),
            step=None if step is None else _length(step),
            anchored=anchored,
            metric=metric,
            warmup_bars=warmup,
            min_efficiency=min_efficiency,
        )
    )
    paths = write_walk_forward(result, out, config_text=loaded.text)
    rows: list[tuple[str, Any]] = [
        ("folds", len(result.folds)),
        ("in-sample annual return", result.is_annual_return),
        ("out-of-sample annual return", result.oos_metrics.get("cagr")),
        ("out-of-sample sharpe", result.oos_metrics.get("sharpe")),
        ("walk-forward efficiency", result.efficiency),
    ]
    rows += [(f"fold {r.fold.index + 1} {r.fold.test.label}", r.params) for r in result.folds]
    return _report("walk-forward", loaded, rows, result.verdict, paths["report.html"])


def sensitivity_command(
    config_path: Path,
    out: Path,
    *,
    params: list[str] | None = None,
    deltas: list[float] | None = None,
    pair: str | None = None,
    max_drop: float = 0.5,
    floors: list[str] | None = None,
    overrides: list[str] | None = None,
) -> bool:
    """Perturb ``params`` (default: all numeric) by ``deltas``; ``pair`` is ``"a,b"``;
    ``floors`` are ``metric=minimum`` entries (e.g. ``sharpe=0``)."""
    loaded = load_run_config(config_path, overrides)
    band = SensitivityBand(max_drop=max_drop, floors=_floors(floors or []))
    names = None if pair is None else tuple(n.strip() for n in pair.split(","))
    if names is not None and len(names) != 2:
        raise ConfigError(f"--pair takes two parameter names like fast,slow; got {pair!r}")
    result = _checked(
        lambda: sensitivity(
            loaded.config,
            params=params or None,
            deltas=deltas or (-0.2, -0.1, 0.1, 0.2),
            band=band,
            pair=None if names is None else (names[0], names[1]),
        )
    )
    paths = write_sensitivity(result, out, config_text=loaded.text)
    rows: list[tuple[str, Any]] = [("base " + k, result.base_metrics.get(k)) for k in band.metrics]
    for row in result.rows.to_dict(orient="records"):
        shown = {m: row.get(m) for m in band.metrics} if row["status"] == "ok" else row["status"]
        rows.append((f"{row['param']} {row['delta']:+.0%} = {row['value']}", shown))
    return _report("sensitivity", loaded, rows, result.verdict, paths["report.html"])


def robustness_command(
    config_path: Path,
    out: Path,
    *,
    symbols: list[str] | None = None,
    windows: str = "yearly",
    min_positive_share: float = 0.6,
    cost_multipliers: list[float] | None = None,
    warmup: int = 0,
    overrides: list[str] | None = None,
) -> bool:
    """Robustness on ``symbols`` (``SYMBOL=path``; default the config's own data) over
    ``windows`` ("yearly" or a number of equal windows), then cost stress (default x2, x3)."""
    loaded = load_run_config(config_path, overrides)
    template = loaded.config.data[0]
    data = None
    if symbols:
        data = [symbol_data(template, *_symbol(spec)) for spec in symbols]
    window_spec: Literal["yearly"] | int = "yearly" if windows == "yearly" else _int(windows)
    result = _checked(
        lambda: robustness(
            loaded.config,
            symbols=data,
            windows=window_spec,
            min_positive_share=min_positive_share,
            warmup_bars=warmup,
        )
    )
    costs = _checked(lambda: cost_stress(loaded.config, multipliers=cost_multipliers or (2.0, 3.0)))
    paths = write_robustness(result, out, costs=costs, config_text=loaded.text)
    full = result.table[result.table["window"] == "full"]
    rows: list[tuple[str, Any]] = [(f"{r.symbol} sharpe", r.sharpe) for r in full.itertuples()]
    cells = result.table[result.table["window"] != "full"]
    positive = (cells["sharpe"].astype(float).fillna(-1.0) > 0).mean() if len(cells) else 0.0
    rows.append(("windows with sharpe > 0", f"{positive:.0%} of {len(cells)}"))
    for r in costs.table.itertuples():
        rows.append(
            (f"costs x{r.multiplier:g}", f"return {r.total_return:.2%}, sharpe {_format(r.sharpe)}")
        )
    verdict = Verdict.of([*result.verdict.reasons, *costs.verdict.reasons])
    return _report("robustness", loaded, rows, verdict, paths["report.html"])


def stats_command(
    config_path: Path,
    out: Path,
    *,
    params: list[str] | None = None,
    blocks: int = 16,
    sims: int = 1000,
    method: Literal["bootstrap", "shuffle"] = "bootstrap",
    seed: int = 0,
    overrides: list[str] | None = None,
) -> bool:
    """PSR, trade Monte Carlo and the top-trade share; with ``params`` also DSR and PBO."""
    loaded = load_run_config(config_path, overrides)
    grid = parse_grid(params) if params else None
    result = _checked(
        lambda: overfitting_stats(
            loaded.config, grid=grid, n_blocks=blocks, n_sims=sims, method=method, seed=seed
        )
    )
    paths = write_stats(result, out, config_text=loaded.text)
    keys = ("sharpe", "psr", "trials", "dsr", "pbo", "top_10pct_share", "num_trades")
    rows: list[tuple[str, Any]] = [(k, result.values[k]) for k in keys if k in result.values]
    mc = result.values.get("monte_carlo", {})
    rows += [(f"monte carlo {k}", v) for k, v in mc.items() if k.startswith("max_drawdown")]
    if "selected" in result.values:
        rows.append(("selected trial", result.values["selected"]))
    return _report("stats", loaded, rows, result.verdict, paths["report.html"])


def lookahead_command(
    config_path: Path, out: Path, *, cuts: int = 5, overrides: list[str] | None = None
) -> bool:
    """Rerun on data cut at ``cuts`` points and report decisions that change."""
    loaded = load_run_config(config_path, overrides)
    result = _checked(lambda: detect_lookahead(loaded.config, cuts=cuts))
    paths = write_lookahead(result, out, config_text=loaded.text)
    rows: list[tuple[str, Any]] = [
        (f"cut {r['cut']}", f"{r['decisions']} decisions: {r['differences']} differ")
        for r in result.checked.to_dict(orient="records")
    ]
    return _report("look-ahead", loaded, rows, result.verdict, paths["report.html"])


def _report(
    name: str, loaded: LoadedConfig, rows: Iterable[tuple[str, Any]], verdict: Verdict, html: Path
) -> bool:
    console = Console()
    table = Table(title=f"{loaded.config.name}: {name}", show_header=False)
    for key, value in rows:
        table.add_row(key, _format(value))
    console.print(table)
    colour = "green" if verdict.passed else "red"
    console.print(f"[bold {colour}]{verdict}[/]", highlight=False)
    console.print(f"report: {html}")
    return verdict.passed


def _checked(run: Callable[[], T]) -> T:
    # Arguments reach the evaluation unparsed; its ValueErrors name the bad one.
    try:
        return run()
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _format(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.4f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_format(v)}" for k, v in value.items())
    return str(value)


def _length(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text.strip()


def _int(text: str) -> int:
    if not text.strip().isdigit():
        raise ConfigError(f"expected 'yearly' or a number of windows, got {text!r}")
    return int(text)


def _symbol(spec: str) -> tuple[str, Path]:
    symbol, sep, path = spec.partition("=")
    if not sep or not symbol.strip() or not path.strip():
        raise ConfigError(f"--symbol takes SYMBOL=path/to/bars.csv, got {spec!r}")
    return symbol.strip(), Path(path.strip()).resolve()


def _floors(specs: list[str]) -> dict[str, float]:
    floors = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        try:
            floors[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(
                f"--floor takes METRIC=NUMBER (e.g. sharpe=0), got {spec!r}"
            ) from None
        if not sep:
            raise ConfigError(f"--floor takes METRIC=NUMBER (e.g. sharpe=0), got {spec!r}")
    return floors
