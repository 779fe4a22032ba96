"""ZScoreReversion on hand-made closes whose return z-scores are known in closed form.

lookback 4: the newest of four returns (a, a, a, b) has z = sqrt(3) x sign(b - a), the largest
|z| four values allow; a window of equal returns has z = 0 exactly. A 10 % drop after flat
closes is therefore z = -1.732 (<= -1.5: buy); the three bars after it hold z = +0.577 (more
than exit_z 0.5: hold), and once the drop leaves the window z = 0 (exit).

==== ===== ========================== ========================================
bar  close return window (last 4)    decision (cooldown 2)
==== ===== ========================== ========================================
0-3  100   0, 0, 0
4    90    0, 0, 0, -0.1   z -1.732   buy 10
5-7  90    ..., 0          z +0.577   hold (buy fills at bar 5's open)
8    90    0, 0, 0, 0      z 0        sell 10 (exit)
9    81    0, 0, 0, -0.1   z -1.732   blocked: 1 bar after the exit
10   81    0, 0, -0.1, 0   z +0.577   nothing
11   56.7  0, -0.1, 0, -0.3 z -1.633  buy 10: 3 bars after the exit
12   56.7                             (buy fills)
==== ===== ========================== ========================================
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from quantrail.strategy.builtin.zscore_reversion import EXIT_REASON, LONG_REASON, SHORT_REASON
from tests.unit.strategy.test_builtin_common import (
    closes_to_rows,
    fills_of,
    known_at,
    run_crafted,
)

PARAMS = {"lookback": 4, "entry_z": 1.5, "exit_z": 0.5, "cooldown": 2, "quantity": 10}
CLOSES = [100.0] * 4 + [90.0] * 5 + [81.0, 81.0, 56.7, 56.7]


def reference_z(closes: list[float], bar: int, lookback: int = 4) -> float:
    """z of bar ``bar``'s return against the last ``lookback`` returns, with numpy."""
    c = np.asarray(closes[: bar + 1])
    window = (c[1:] / c[:-1] - 1.0)[-lookback:]
    sd = window.std(ddof=0)
    return 0.0 if sd == 0 else float((window[-1] - window.mean()) / sd)


def test_enters_on_an_extreme_return_exits_when_ordinary_and_cools_down(
    tmp_path: Path,
) -> None:
    result, audited = run_crafted(tmp_path, "zscore_reversion", PARAMS, closes_to_rows(CLOSES))
    orders = result.orders
    assert list(orders["ts_created"]) == [known_at(4), known_at(8), known_at(11)]
    assert list(orders["side"]) == ["buy", "sell", "buy"]
    assert list(orders["quantity"]) == [10, 10, 10]
    assert list(orders["order_type"]) == ["market"] * 3
    assert list(orders["reason"]) == [LONG_REASON, EXIT_REASON, LONG_REASON]

    entry, exit_, reentry = (a["signal_state"] for a in audited)
    assert entry["z"] == pytest.approx(-math.sqrt(3))
    assert entry["z"] == pytest.approx(reference_z(CLOSES, 4))
    assert entry["return"] == pytest.approx(-0.1)
    assert entry["position"] == 0
    assert entry["bars_since_exit"] is None
    assert exit_["z"] == 0.0
    assert exit_["position"] == 10
    assert reentry["z"] == pytest.approx(reference_z(CLOSES, 11))
    assert reentry["z"] == pytest.approx(-0.2 / math.sqrt(0.015))
    assert reentry["bars_since_exit"] == 3

    # Decided on bar t, filled at bar t + 1's open.
    for oid, bar in zip(orders["client_order_id"], (5, 9, 12), strict=True):
        fill = fills_of(result, str(oid))
        assert len(fill) == 1
        assert fill.loc[0, "event_ts"] == known_at(bar)
        assert fill.loc[0, "price"] == CLOSES[bar - 1]  # closes_to_rows opens at the last close

    assert result.trades.loc[0, "pnl"] == pytest.approx(0.0)  # bought 90, sold 90
    assert result.trades.loc[1, "exit_reason"] == "open_at_end"


@pytest.mark.parametrize(
    ("cooldown", "reentry_bars"),
    [(0, [9]), (1, [11]), (2, [11]), (3, [])],  # the exit was decided on bar 8
)
def test_cooldown_counts_bars_after_the_exit_decision(
    tmp_path: Path, cooldown: int, reentry_bars: list[int]
) -> None:
    params = {**PARAMS, "cooldown": cooldown}
    result, audited = run_crafted(tmp_path, "zscore_reversion", params, closes_to_rows(CLOSES))
    expected = [known_at(4), known_at(8), *(known_at(b) for b in reentry_bars)]
    assert list(result.orders["ts_created"]) == expected
    if reentry_bars:
        assert audited[2]["signal_state"]["bars_since_exit"] == reentry_bars[0] - 8


def test_sells_short_on_a_spike_and_covers_when_ordinary(tmp_path: Path) -> None:
    closes = [100.0] * 4 + [110.0] * 6
    result, audited = run_crafted(tmp_path, "zscore_reversion", PARAMS, closes_to_rows(closes))
    orders = result.orders
    assert list(orders["ts_created"]) == [known_at(4), known_at(8)]
    assert list(orders["side"]) == ["sell", "buy"]
    assert list(orders["reason"]) == [SHORT_REASON, EXIT_REASON]
    assert audited[0]["signal_state"]["z"] == pytest.approx(math.sqrt(3))
    assert result.trades.loc[0, "side"] == "short"
    assert fills_of(result, orders.iloc[0]["client_order_id"]).loc[0, "price"] == 110.0


def test_allow_short_false_ignores_the_spike(tmp_path: Path) -> None:
    closes = [100.0] * 4 + [110.0] * 6
    params = {**PARAMS, "allow_short": False}
    result, _ = run_crafted(tmp_path, "zscore_reversion", params, closes_to_rows(closes))
    assert result.orders.empty


def test_an_opposite_extreme_does_not_flip_or_close_the_position(tmp_path: Path) -> None:
    # Long after the drop at bar 4; bar 5 jumps 50 %: z = +1.71 is a short signal, but a
    # position only closes on |z| <= exit_z, which bar 6's flat close brings (z = -0.43).
    closes = [100.0] * 4 + [90.0, 135.0, 135.0, 135.0]
    result, audited = run_crafted(tmp_path, "zscore_reversion", PARAMS, closes_to_rows(closes))
    assert reference_z(closes, 5) >= PARAMS["entry_z"]
    orders = result.orders
    assert list(orders["side"]) == ["buy", "sell"]
    assert list(orders["quantity"]) == [10, 10]
    assert list(orders["ts_created"]) == [known_at(4), known_at(6)]
    assert audited[1]["signal_state"]["z"] == pytest.approx(reference_z(closes, 6))
    assert abs(audited[1]["signal_state"]["z"]) <= PARAMS["exit_z"]


def test_no_entry_the_equity_cannot_carry(tmp_path: Path) -> None:
    result, _ = run_crafted(tmp_path, "zscore_reversion", PARAMS, closes_to_rows(CLOSES), cash=500)
    assert result.orders.empty  # 10 x 90 and 10 x 56.7 both exceed 500
