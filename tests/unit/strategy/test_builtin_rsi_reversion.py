"""RsiReversion on hand-made bars whose RSI, mean and volume ratio are known by hand.

With period 3, exit_mean_period 3 and volume_period 3, steady one-point drops from 100 give
Wilder averages gain 0, loss 1, so RSI = 0 from bar 3 (the first bar with 3 changes) on.

==== ===== ===== ====== ================================ ==============================
bar  open  close volume signal                            decision
==== ===== ===== ====== ================================ ==============================
0    100   100   100
1    100   99    100
2    99    98    100
3    98    97    50     RSI 0, ratio 50/83.33 = 0.6       none: the volume filter blocks
4    97    96    200    RSI 0, ratio 200/116.67 = 1.714   buy 10 (mean 97)
5    95.5  95    100    mean 96, close 95 < mean         (buy fills at 95.5)
6    95    99    100    mean (96+95+99)/3, close 99 >=    sell 10
7    99.5  100   100                                      (sell fills at 99.5)
==== ===== ===== ====== ================================ ==============================
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quantrail.strategy.builtin.rsi_reversion import ENTRY_REASON, EXIT_REASON
from tests.unit.strategy.test_builtin_common import (
    Row,
    fills_of,
    known_at,
    opens_at,
    run_crafted,
)

PARAMS = {
    "period": 3,
    "entry_below": 30,
    "exit_mean_period": 3,
    "volume_period": 3,
    "min_volume_ratio": 1.0,
    "quantity": 10,
}

ROWS: list[Row] = [
    (100, 100.5, 99.5, 100, 100),
    (100, 100.5, 98.5, 99, 100),
    (99, 99.5, 97.5, 98, 100),
    (98, 98.5, 96.5, 97, 50),
    (97, 97.5, 95.5, 96, 200),
    (95.5, 96, 94.5, 95, 100),
    (95, 99.5, 94.5, 99, 100),
    (99.5, 100.5, 99, 100, 100),
]


def test_buys_on_oversold_rsi_with_volume_and_sells_at_the_mean(tmp_path: Path) -> None:
    result, audited = run_crafted(tmp_path, "rsi_reversion", PARAMS, ROWS)
    orders = result.orders
    assert len(orders) == 2

    buy = orders.iloc[0]
    assert buy["ts_created"] == known_at(4), "decided on bar 4, not bar 3 (volume filter)"
    assert (buy["side"], buy["quantity"], buy["order_type"]) == ("buy", 10, "market")
    assert buy["reason"] == ENTRY_REASON
    state = audited[0]["signal_state"]
    assert state["rsi"] == pytest.approx(0.0)
    assert state["mean"] == pytest.approx(97.0)
    assert state["avg_volume"] == pytest.approx(350 / 3)
    assert state["volume_ratio"] == pytest.approx(200 / (350 / 3))
    assert state["close"] == 96
    assert audited[0]["reason"] == ENTRY_REASON

    buy_fill = fills_of(result, buy["client_order_id"])
    assert len(buy_fill) == 1
    assert buy_fill.loc[0, "event_ts"] == known_at(5), "fills on the next bar"
    assert buy_fill.loc[0, "ts"] == opens_at(5)
    assert buy_fill.loc[0, "price"] == 95.5

    sell = orders.iloc[1]
    assert sell["ts_created"] == known_at(6), "bar 5 closed under its mean; bar 6 above"
    assert (sell["side"], sell["quantity"]) == ("sell", 10)
    assert sell["reason"] == EXIT_REASON
    exit_state = audited[1]["signal_state"]
    assert exit_state["close"] == 99
    assert exit_state["mean"] == pytest.approx((96 + 95 + 99) / 3)
    assert exit_state["close"] >= exit_state["mean"]
    assert exit_state["rsi"] > 30
    assert exit_state["volume_ratio"] == pytest.approx(100 / (400 / 3))  # the exit ignores it

    sell_fill = fills_of(result, sell["client_order_id"])
    assert sell_fill.loc[0, "event_ts"] == known_at(7)
    assert sell_fill.loc[0, "price"] == 99.5

    trades = result.trades
    assert len(trades) == 1
    assert trades.loc[0, "pnl"] == pytest.approx(10 * (99.5 - 95.5))
    assert trades.loc[0, "exit_reason"] == EXIT_REASON


def test_the_volume_filter_is_what_blocked_bar_3(tmp_path: Path) -> None:
    # Relax the filter below bar 3's ratio of 0.6: the same RSI now buys a bar earlier.
    params = {**PARAMS, "min_volume_ratio": 0.5}
    result, audited = run_crafted(tmp_path, "rsi_reversion", params, ROWS)
    buy = result.orders.iloc[0]
    assert buy["ts_created"] == known_at(3)
    assert buy["reason"] == ENTRY_REASON
    assert audited[0]["signal_state"]["volume_ratio"] == pytest.approx(50 / (250 / 3))
    assert fills_of(result, buy["client_order_id"]).loc[0, "price"] == 97  # bar 4 open


def test_a_zero_ratio_disables_the_volume_filter(tmp_path: Path) -> None:
    rows = [(*row[:4], 0.0) for row in ROWS]  # no volume at all: the ratio is undefined
    result, audited = run_crafted(
        tmp_path, "rsi_reversion", {**PARAMS, "min_volume_ratio": 0}, rows
    )
    assert result.orders.iloc[0]["ts_created"] == known_at(3)
    assert audited[0]["signal_state"]["volume_ratio"] is None


def test_no_volume_never_passes_a_positive_filter(tmp_path: Path) -> None:
    rows = [(*row[:4], 0.0) for row in ROWS]
    result, _ = run_crafted(tmp_path, "rsi_reversion", PARAMS, rows)
    assert result.orders.empty


def test_no_buy_while_rsi_is_not_below_entry_below(tmp_path: Path) -> None:
    # Alternating one-point moves keep the RSI near 50; heavy volume cannot make it a signal.
    closes = [100.0, 101.0] * 6
    rows = [(c, c + 0.5, c - 1.5, c, 100.0 if i % 3 else 1_000.0) for i, c in enumerate(closes)]
    result, _ = run_crafted(tmp_path, "rsi_reversion", PARAMS, rows)
    assert result.orders.empty
