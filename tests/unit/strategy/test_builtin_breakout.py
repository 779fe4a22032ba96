"""Breakout on hand-made bars: channel 3, exit channel 2, ATR(2), 2 ATR stops, 1 % risk.

Every number below is exact in binary floating point.

==== ============================ ====== ===== =======================================
bar  open  high  low   close      TR     ATR   what happens
==== ============================ ====== ===== =======================================
0-2  100   101   99    100        2      2     warm-up (ATR warm at bar 2)
3    101.5 103   101   102        3      2.5   close 102 > max(high 0..2) = 101: buy
                                                 floor(100000 x 1 % / (2 x 2.5)) = 200
4    102.5 104   102   103.5      2      2.25  buy fills at 102.5; stop 102.5 - 5 = 97.5;
                                                 trail to 103.5 - 4.5 = 99
5    104   106   103.5 105.5      2.5    2.375 trail to 105.5 - 4.75 = 100.75
6    105   105.5 103.5 104        2      2.1875 candidate 99.625 < 100.75: not lowered
7    99    99.5  98    99                      opens under the stop: fills at 99, not 100.75
==== ============================ ====== ===== =======================================

Had the channel included the current bar, bar 3's channel high would be its own 103 and the
close of 102 would never break out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from quantrail.strategy.builtin.breakout import (
    ENTRY_REASON,
    EXIT_REASON,
    STOP_REASON,
    Breakout,
)
from tests.unit.strategy.test_builtin_common import (
    Row,
    fills_of,
    known_at,
    opens_at,
    order_events,
    run_crafted,
)

PARAMS = {
    "channel": 3,
    "exit_channel": 2,
    "atr_period": 2,
    "atr_multiple": 2.0,
    "risk_pct": 0.01,
}

WARMUP: list[Row] = [(100, 101, 99, 100, 1_000)] * 3
RISE: list[Row] = [
    (101.5, 103, 101, 102, 1_000),  # 3: breakout
    (102.5, 104, 102, 103.5, 1_000),  # 4: entry fill, stop placed, trailed to 99
    (104, 106, 103.5, 105.5, 1_000),  # 5: trailed to 100.75
]
GAP_ROWS: list[Row] = [
    *WARMUP,
    *RISE,
    (105, 105.5, 103.5, 104, 1_000),  # 6: lower candidate, stop stays
    (99, 99.5, 98, 99, 1_000),  # 7: gaps under the stop
    (99, 99.5, 98.5, 99, 1_000),  # 8
]
CHANNEL_EXIT_ROWS: list[Row] = [
    *WARMUP,
    *RISE,
    (103, 103.5, 101, 101.5, 1_000),  # 6: close < min(low 4, low 5) = 102, above the stop
    (101, 102, 100, 101, 1_000),  # 7: sell fills at 101; low 100 would have hit the stop
    (101, 101.5, 100.5, 101, 1_000),  # 8
]


class RecordingBreakout(Breakout):
    """Breakout that records every stop modification it asks for."""

    modifications: ClassVar[list[tuple[int, float | None, float | None]]] = []

    def modify(
        self,
        client_order_id: str,
        *,
        quantity: float | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
    ) -> None:
        RecordingBreakout.modifications.append((self.now_ns(), quantity, stop_price))
        super().modify(
            client_order_id, quantity=quantity, limit_price=limit_price, stop_price=stop_price
        )


RECORDING = f"{__name__}:RecordingBreakout"


@pytest.fixture(autouse=True)
def _clear_recording() -> None:
    RecordingBreakout.modifications.clear()


def test_breakout_entry_on_the_previous_channel_high(tmp_path: Path) -> None:
    result, audited = run_crafted(tmp_path, "breakout", PARAMS, GAP_ROWS)
    entry = result.orders.iloc[0]
    assert entry["ts_created"] == known_at(3)
    assert (entry["side"], entry["order_type"], entry["quantity"]) == ("buy", "market", 200)
    assert entry["reason"] == ENTRY_REASON
    state = audited[0]["signal_state"]
    assert state["channel_high"] == 101
    assert state["close"] == 102
    assert state["atr"] == 2.5
    assert state["equity"] == 100_000
    assert state["risk_per_unit"] == 5.0
    assert state["raw_quantity"] == 200.0
    fill = fills_of(result, entry["client_order_id"])
    assert fill.loc[0, "event_ts"] == known_at(4), "fills on the next bar"
    assert fill.loc[0, "ts"] == opens_at(4)
    assert fill.loc[0, "price"] == 102.5


def test_stop_is_placed_on_the_entry_fill_trails_up_only_and_gaps_fill_at_the_open(
    tmp_path: Path,
) -> None:
    result, audited = run_crafted(tmp_path, RECORDING, PARAMS, GAP_ROWS)
    orders = result.orders
    assert len(orders) == 2
    stop = orders.iloc[1]
    # Placed while bar 4 (the entry's fill bar) was processed, not when the entry was decided.
    assert stop["ts_created"] == known_at(4)
    assert (stop["side"], stop["order_type"], stop["quantity"]) == ("sell", "stop", 200)
    assert stop["reason"] == STOP_REASON
    stop_state = audited[1]["signal_state"]
    assert stop_state["entry_price"] == 102.5
    assert stop_state["atr"] == 2.5  # the ATR that sized the trade
    assert stop_state["stop_price"] == 97.5
    assert audited[1]["stop_price"] == 97.5
    assert audited[1]["oco_group"] is not None

    # Trailed on bars 4 and 5, left alone on bar 6 where close - 2 ATR fell to 99.625.
    assert RecordingBreakout.modifications == [
        (int(known_at(4).value), None, 99.0),
        (int(known_at(5).value), None, 100.75),
    ]
    assert stop["stop_price"] == 100.75

    fill = fills_of(result, stop["client_order_id"])
    assert len(fill) == 1
    assert fill.loc[0, "event_ts"] == known_at(7)
    assert fill.loc[0, "price_rule"] == "stop_gap_open"
    assert fill.loc[0, "price"] == 99.0, "a gap through the stop fills at the open"
    assert fill.loc[0, "quantity"] == 200

    trades = result.trades
    assert len(trades) == 1
    assert trades.loc[0, "pnl"] == pytest.approx(200 * (99.0 - 102.5))
    assert trades.loc[0, "exit_reason"] == STOP_REASON


def test_the_stop_fills_at_its_price_when_the_bar_trades_down_to_it(tmp_path: Path) -> None:
    rows = [*GAP_ROWS[:7], (101.5, 102, 100, 100.5, 1_000), GAP_ROWS[8]]
    result, _ = run_crafted(tmp_path, "breakout", PARAMS, rows)
    fill = fills_of(result, result.orders.iloc[1]["client_order_id"])
    assert fill.loc[0, "price_rule"] == "stop_triggered"
    assert fill.loc[0, "price"] == 100.75


def test_close_below_the_exit_channel_cancels_the_stop_then_sells(tmp_path: Path) -> None:
    result, audited = run_crafted(tmp_path, "breakout", PARAMS, CHANNEL_EXIT_ROWS)
    orders = result.orders
    assert list(orders["reason"]) == [ENTRY_REASON, STOP_REASON, EXIT_REASON]
    stop, sell = orders.iloc[1], orders.iloc[2]
    assert stop["status"] == "canceled"
    assert sell["ts_created"] == known_at(6)
    assert (sell["side"], sell["order_type"], sell["quantity"]) == ("sell", "market", 200)
    exit_state = audited[2]["signal_state"]
    assert exit_state["exit_channel_low"] == 102
    assert exit_state["close"] == 101.5
    assert exit_state["stop_price"] == 100.75

    events = order_events(tmp_path / "run" / "audit.sqlite")
    cancel_at = events.index((stop["client_order_id"], int(known_at(6).value), "cancel"))
    submit_at = events.index((sell["client_order_id"], int(known_at(6).value), "submit"))
    assert cancel_at < submit_at, "the stop is canceled before the exit is sent"

    # Only the exit sold: bar 7's low of 100 would have hit the canceled stop at 100.75.
    sells = result.fills[result.fills["side"] == "sell"].reset_index(drop=True)
    assert len(sells) == 1
    assert sells.loc[0, "client_order_id"] == sell["client_order_id"]
    assert sells.loc[0, "event_ts"] == known_at(7)
    assert sells.loc[0, "price"] == 101
    assert result.trades.loc[0, "exit_reason"] == EXIT_REASON


def test_max_quantity_caps_the_risk_size(tmp_path: Path) -> None:
    result, audited = run_crafted(tmp_path, "breakout", {**PARAMS, "max_quantity": 150}, GAP_ROWS)
    assert list(result.orders["quantity"][:2]) == [150, 150]
    assert audited[0]["signal_state"]["raw_quantity"] == 200.0


def test_risk_pct_sets_the_size_and_a_size_under_one_unit_skips_the_entry(
    tmp_path: Path,
) -> None:
    result, _ = run_crafted(tmp_path / "half", "breakout", {**PARAMS, "risk_pct": 0.005}, GAP_ROWS)
    assert result.orders.iloc[0]["quantity"] == 100
    result, _ = run_crafted(tmp_path / "tiny", "breakout", PARAMS, GAP_ROWS, cash=400)
    assert result.orders.empty  # 400 x 1 % / 5 = 0.8 units


def test_a_new_breakout_after_the_stop_out_enters_again(tmp_path: Path) -> None:
    rows = [
        *GAP_ROWS,
        (99, 99.5, 98.5, 99, 1_000),  # 9
        (99, 110, 99, 109, 1_000),  # 10: close above max(high 7..9) = 99.5
        (109, 110, 108, 109, 1_000),  # 11
    ]
    result, _ = run_crafted(tmp_path, "breakout", PARAMS, rows)
    entries = result.orders[result.orders["reason"] == ENTRY_REASON]
    assert list(entries["ts_created"]) == [known_at(3), known_at(10)]
    stops = result.orders[result.orders["reason"] == STOP_REASON]
    assert list(stops["ts_created"]) == [known_at(4), known_at(11)]


@pytest.mark.parametrize("field", ["channel", "atr_period"])
def test_nothing_happens_before_the_indicators_are_warm(tmp_path: Path, field: str) -> None:
    params: dict[str, Any] = {**PARAMS, field: 4}  # one bar more than bar 3 can provide
    result, _ = run_crafted(tmp_path, "breakout", params, [*WARMUP, RISE[0]])
    assert result.orders.empty


def test_a_partly_filled_entry_grows_its_stop(tmp_path: Path) -> None:
    # Half of a 200-unit bar may trade: the 200-unit entry fills 100 on bar 4 and 100 on bar 5.
    rows = [(*row[:4], 200.0) for row in GAP_ROWS]
    result, _ = run_crafted(tmp_path, RECORDING, PARAMS, rows, max_volume_share=0.5)
    entry, stop = result.orders.iloc[0], result.orders.iloc[1]
    entry_fills = fills_of(result, entry["client_order_id"])
    assert list(entry_fills["quantity"]) == [100, 100]
    assert list(entry_fills["price"]) == [102.5, 104]
    assert RecordingBreakout.modifications == [
        (int(known_at(4).value), None, 99.0),
        (int(known_at(5).value), 200, None),  # on the second entry fill, before bar 5's trail
        (int(known_at(5).value), None, 100.75),
    ]
    assert stop["quantity"] == 200
    # Bar 7 gaps through the stop but only 100 may trade; its close is also under the exit
    # channel, so the rest of the stop is canceled and a market sell takes the last 100.
    stop_fills = fills_of(result, stop["client_order_id"])
    assert list(stop_fills["quantity"]) == [100]
    assert stop_fills.loc[0, "event_ts"] == known_at(7)
    assert stop["status"] == "canceled"
    exit_order = result.orders.iloc[2]
    assert (exit_order["reason"], exit_order["quantity"]) == (EXIT_REASON, 100)
    assert exit_order["ts_created"] == known_at(7)
    assert fills_of(result, exit_order["client_order_id"]).loc[0, "event_ts"] == known_at(8)
    assert len(result.orders) == 3
    sold = result.fills.loc[result.fills["side"] == "sell", "quantity"].sum()
    assert sold == 200
