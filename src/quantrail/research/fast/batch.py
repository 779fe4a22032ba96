"""Run a strategy's kernel over many parameter sets and turn its output into results.

The kernel writes fills into a fixed-size buffer per parameter set; a set that needs more room
is run again with exactly the room it reported (each built-in strategy has at most one working
order, so fills never outnumber bars). Fills are then packed contiguously (``offsets``), and
each set's equity curve (``_nb.ledger_nb``), trades and metrics are built on demand with the
functions the event engine's results use: ``analytics.round_trips`` and the engine's metrics.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from quantrail.analytics import round_trips
from quantrail.engine.results import run_metrics
from quantrail.research.fast import _nb
from quantrail.research.fast.market import FastPathUnsupported, Market
from quantrail.research.fast.plan import Plan
from quantrail.strategy.base import StrategyParams

__all__ = ["FastBatch", "FastResult", "run_plan"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_MIN_CAPACITY = 256
_RULES = ("next_open", "stop_gap_open", "stop_triggered")
# One parallel kernel at a time per process: numba's workqueue threading layer (the fallback
# when neither OpenMP nor TBB is installed) aborts on concurrent launches from several threads,
# e.g. the threads of a Dask worker. Each launch already uses every core.
_KERNEL_LOCK = threading.Lock()


@dataclass(frozen=True)
class FastResult:
    """One parameter set's run, shaped like the event engine's ``BacktestResult``."""

    params: StrategyParams
    equity: pd.Series
    fills: pd.DataFrame
    trades: pd.DataFrame
    metrics: dict[str, Any]
    final_equity: float


def _utc(ns: IntArray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(ns, dtype="int64"), unit="ns", utc=True))


@dataclass(frozen=True, eq=False)
class FastBatch:
    """Fills and final accounts of a batch of parameter sets.

    Attributes
    ----------
    market : Market
        The data and costs the batch ran on.
    params : list of StrategyParams
        The parameter sets, in order.
    reasons : tuple of str
        ``order_reason`` per fill code.
    offsets : ndarray of int64
        Fills of set ``i`` are rows ``offsets[i]:offsets[i + 1]`` of ``fills_f``/``fills_i``.
    fills_f, fills_i : ndarray
        Fill records, layout in ``research.fast._nb``.
    status : ndarray of int64
        0 when the set ran; 2 when an order's quantity is not on the lot grid (the event engine
        would fill it in part), and the set's output must not be used.
    account : ndarray of float64
        Final account per set (layout in ``_nb``).
    """

    market: Market
    params: list[StrategyParams]
    reasons: tuple[str, ...]
    offsets: IntArray
    fills_f: FloatArray
    fills_i: IntArray
    status: IntArray
    account: FloatArray

    def __len__(self) -> int:
        return len(self.params)

    def ok(self, i: int) -> bool:
        """Whether set ``i`` ran exactly (False: rerun it on the event engine)."""
        return int(self.status[i]) == _nb.STATUS_OK

    def _check(self, i: int) -> None:
        if not self.ok(i):
            raise FastPathUnsupported(
                f"an order of parameter set {i} is not a multiple of the lot size "
                f"{self.market.cost[_nb.C_LOT]:g}; the event engine would fill it in part",
                path="strategy.params.quantity",
            )

    def final_equity(self, i: int) -> float:
        """``Portfolio.equity()`` after the last bar."""
        self._check(i)
        acct = self.account[i]
        position = float(acct[_nb.A_POS])
        cash = float(acct[_nb.A_CASH])
        return cash + (0.0 + position * float(self.market.close[-1])) if position else cash + 0.0

    def fills(self, i: int) -> pd.DataFrame:
        """Set ``i``'s fills with the columns of ``BacktestResult.fills``."""
        self._check(i)
        m = self.market
        rows = slice(int(self.offsets[i]), int(self.offsets[i + 1]))
        f, g = self.fills_f[rows], self.fills_i[rows]
        bar, seq, code = g[:, _nb.I_BAR], g[:, _nb.I_SEQ], g[:, _nb.I_CODE]
        rule = code % 4
        signed, price, ref = f[:, _nb.F_QTY], f[:, _nb.F_PRICE], f[:, _nb.F_REF]
        qty = np.abs(signed)
        half_spread = m.half_spread[bar]
        # FillSimulator._fill's split of the cost between spread and slippage.
        total = qty * np.abs(price - ref)
        spread_cost = np.minimum(qty * ref * half_spread, total)
        at_close = (rule == _nb.RULE_MARKET) & m.fill_at_close
        names = np.array(_RULES)[rule]
        names[at_close] = "next_close"
        sid = m.strategy_id
        return pd.DataFrame(
            {
                "fill_id": [f"F{k}" for k in range(1, len(bar) + 1)],
                "client_order_id": [f"{sid}-{s}" for s in seq.tolist()],
                "ts": _utc(np.where(at_close, m.ts[bar], m.ts_open[bar])),
                "event_ts": _utc(m.ts[bar]),
                "symbol": m.symbol,
                "side": np.where(signed > 0, "buy", "sell"),
                "quantity": qty,
                "price": price,
                "reference_price": ref,
                "price_rule": names,
                "liquidity": "taker",
                "commission": f[:, _nb.F_COMM],
                "spread_cost": spread_cost,
                "slippage_cost": total - spread_cost,
                "order_reason": [self.reasons[k] for k in (code // 4).tolist()],
            }
        )

    def _ledger(self, i: int) -> tuple[FloatArray, int]:
        self._check(i)
        rows = slice(int(self.offsets[i]), int(self.offsets[i + 1]))
        f, g = self.fills_f[rows], self.fills_i[rows]
        return _nb.ledger_nb(
            self.market.close, np.ascontiguousarray(g[:, _nb.I_BAR]),
            np.ascontiguousarray(f[:, _nb.F_QTY]), np.ascontiguousarray(f[:, _nb.F_PRICE]),
            np.ascontiguousarray(f[:, _nb.F_COMM]), self.market.cash,
        )  # fmt: skip

    def equity_curve(self, i: int) -> pd.Series:
        """Equity per bar, UTC index, as ``BacktestResult.equity``."""
        values, _ = self._ledger(i)
        return pd.Series(values, index=_utc(self.market.ts), name="equity")

    def result(self, i: int) -> FastResult:
        """Fills, equity, round-trip trades and metrics of set ``i``."""
        m = self.market
        fills = self.fills(i)
        values, held = self._ledger(i)
        equity = pd.Series(values, index=_utc(m.ts), name="equity")
        trades = round_trips(fills, {m.symbol: float(m.close[-1])}, equity.index[-1])
        metrics = run_metrics(
            equity,
            periods_per_year=m.periods_per_year,
            trades=trades,
            turnover_notional=float(self.account[i, _nb.A_TURNOVER]),
            exposure=held / len(m),
        )
        return FastResult(self.params[i], equity, fills, trades, metrics, self.final_equity(i))


def _execute(
    plan: Plan, market: Market, idx: IntArray, capacity: int
) -> tuple[FloatArray, IntArray, IntArray, IntArray, FloatArray]:
    k = len(idx)
    fills_f = np.zeros((k, capacity, 4))
    fills_i = np.zeros((k, capacity, 3), dtype=np.int64)
    count = np.zeros(k, dtype=np.int64)
    status = np.zeros(k, dtype=np.int64)
    account = np.zeros((k, _nb.ACCOUNT_SIZE))
    account[:, _nb.A_CASH] = market.cash
    per_combo = tuple(np.ascontiguousarray(a[idx]) for a in plan.per_combo)
    with _KERNEL_LOCK:
        plan.kernel(*plan.shared, *per_combo, market.cost, fills_f, fills_i, count, status, account)
    return fills_f, fills_i, count, status, account


def run_plan(plan: Plan, market: Market, params: Sequence[StrategyParams]) -> FastBatch:
    """Run ``plan`` for every parameter set; sets that overflow their fill buffer run again."""
    k = len(params)
    n = len(market)
    capacity = min(max(n, 1), max(_MIN_CAPACITY, n // 16))
    idx = np.arange(k, dtype=np.int64)
    fills_f, fills_i, count, status, account = _execute(plan, market, idx, capacity)
    parts_f = [fills_f[c, : min(int(count[c]), capacity)] for c in range(k)]
    parts_i = [fills_i[c, : min(int(count[c]), capacity)] for c in range(k)]
    again = np.flatnonzero(status == _nb.STATUS_OVERFLOW)
    if len(again):
        more = _execute(plan, market, again, int(count[again].max()))
        for j, c in enumerate(again.tolist()):
            parts_f[c] = more[0][j, : int(more[2][j])]
            parts_i[c] = more[1][j, : int(more[2][j])]
            status[c], account[c] = more[3][j], more[4][j]
    offsets = np.zeros(k + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p) for p in parts_f])
    return FastBatch(
        market=market,
        params=list(params),
        reasons=plan.reasons,
        offsets=offsets,
        fills_f=np.concatenate(parts_f) if k else np.zeros((0, 4)),
        fills_i=np.concatenate(parts_i) if k else np.zeros((0, 3), dtype=np.int64),
        status=status,
        account=account,
    )
