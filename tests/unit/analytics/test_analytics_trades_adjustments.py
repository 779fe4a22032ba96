"""Round trips across a split and a dividend, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from quantrail.analytics import round_trips


def _fill(ts: str, side: str, quantity: float, price: float, oid: str) -> dict[str, object]:
    return {"ts": pd.Timestamp(ts, tz="UTC"), "symbol": "X", "side": side, "quantity": quantity,
            "price": price, "commission": 1.0, "spread_cost": 0.0, "slippage_cost": 0.0,
            "order_reason": oid, "client_order_id": oid}  # fmt: skip


def test_split_rescales_the_open_trade_and_dividends_join_its_pnl() -> None:
    fills = pd.DataFrame(
        [_fill("2020-01-02", "buy", 100, 700.0, "A"), _fill("2020-03-02", "sell", 700, 105.0, "B")]
    )
    adjustments = pd.DataFrame(
        {
            "ts": [pd.Timestamp("2020-02-01", tz="UTC"), pd.Timestamp("2020-02-10", tz="UTC")],
            "symbol": ["X", "X"],
            "kind": ["split", "dividend"],
            "value": [7.0, 70.0],  # 7-for-1, then 0.10 a share on 700 shares
        }
    )
    trades = round_trips(fills, {"X": 105.0}, pd.Timestamp("2020-03-02", tz="UTC"), adjustments)
    assert len(trades) == 1
    trade = trades.iloc[0]
    assert trade["quantity"] == 700
    assert trade["entry_price"] == pytest.approx(100.0)  # 70,000 of notional over 700 shares
    # (105 - 100) x 700 - 2 commissions + 70 of dividends
    assert trade["pnl"] == pytest.approx(3_500 - 2 + 70)
    assert trade["exit_reason"] == "B"


def test_an_open_trade_across_a_split_is_marked_in_post_split_shares() -> None:
    fills = pd.DataFrame([_fill("2020-01-02", "buy", 100, 700.0, "A")])
    split = pd.DataFrame(
        {"ts": [pd.Timestamp("2020-02-01", tz="UTC")], "symbol": ["X"], "kind": ["split"],
         "value": [7.0]}
    )  # fmt: skip
    trades = round_trips(fills, {"X": 100.0}, pd.Timestamp("2020-03-02", tz="UTC"), split)
    assert trades.iloc[0]["quantity"] == 700
    assert trades.iloc[0]["pnl"] == pytest.approx(0.0 - 1.0)  # marked at 100 = entry, one fee
