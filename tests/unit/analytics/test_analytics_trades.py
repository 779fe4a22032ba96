from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantrail.analytics import FILL_COLUMNS, TRADE_COLUMNS, round_trips

DAY0 = pd.Timestamp("2024-01-01", tz="UTC")
END = DAY0 + pd.Timedelta(days=30)


def fill(
    day: int,
    side: str,
    quantity: float,
    price: float,
    *,
    symbol: str = "AAA",
    commission: float = 0.0,
    spread: float = 0.0,
    slippage: float = 0.0,
    reason: str = "",
    oid: str = "",
) -> dict[str, Any]:
    return {
        "ts": DAY0 + pd.Timedelta(days=day),
        "symbol": symbol,
        "side": side,
        "quantity": quantity,
        "price": price,
        "commission": commission,
        "spread_cost": spread,
        "slippage_cost": slippage,
        "order_reason": reason,
        "client_order_id": oid,
    }


def trips(*fills: dict[str, Any], last: dict[str, float] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(list(fills), columns=list(FILL_COLUMNS))
    return round_trips(frame, last or {}, END)


def test_simple_long_with_all_costs() -> None:
    out = trips(
        fill(
            0, "buy", 10, 100.0, commission=1.0, spread=0.5, slippage=0.2, reason="enter", oid="a"
        ),
        fill(
            3, "sell", 10, 110.0, commission=1.0, spread=0.5, slippage=0.2, reason="exit", oid="b"
        ),
    )
    assert list(out.columns) == list(TRADE_COLUMNS)
    assert len(out) == 1
    t = out.iloc[0]
    assert t["trade_id"] == 1
    assert t["side"] == "long"
    assert t["quantity"] == 10
    assert t["entry_time"] == DAY0
    assert t["exit_time"] == DAY0 + pd.Timedelta(days=3)
    assert (t["entry_price"], t["exit_price"]) == (100.0, 110.0)
    # 10 * (110 - 100) - 2 commissions; spread/slippage are already inside the prices.
    assert t["pnl"] == pytest.approx(98.0)
    assert t["costs"] == pytest.approx(2 * (1.0 + 0.5 + 0.2))
    assert t["return_pct"] == pytest.approx(98.0 / 1_000.0)
    assert (t["entry_reason"], t["exit_reason"]) == ("enter", "exit")
    assert (t["entry_order_ids"], t["exit_order_ids"]) == ("a", "b")


def test_short() -> None:
    out = trips(
        fill(0, "sell", 5, 50.0, commission=0.5, oid="s"),
        fill(1, "buy", 5, 45.0, commission=0.5, oid="c"),
    )
    t = out.iloc[0]
    assert t["side"] == "short"
    assert t["quantity"] == 5
    assert t["pnl"] == pytest.approx(5 * (50 - 45) - 1.0)
    assert t["return_pct"] == pytest.approx(24.0 / 250.0)


def test_flip_long_to_short_in_one_fill_apportions_costs() -> None:
    out = trips(
        fill(0, "buy", 10, 100.0, commission=1.0, reason="long", oid="a"),
        # Closes 10 (1/3 of the fill) and opens a 20 short (2/3).
        fill(
            1, "sell", 30, 110.0, commission=3.0, spread=0.6, slippage=0.3, reason="flip", oid="b"
        ),
        fill(2, "buy", 20, 100.0, commission=2.0, reason="cover", oid="c"),
    )
    assert list(out["side"]) == ["long", "short"]
    assert list(out["quantity"]) == [10, 20]
    long, short = out.iloc[0], out.iloc[1]
    assert long["exit_reason"] == "flip"
    assert short["entry_reason"] == "flip"
    assert long["exit_time"] == short["entry_time"]
    assert long["pnl"] == pytest.approx(10 * 10 - (1.0 + 1.0))
    assert long["costs"] == pytest.approx(1.0 + (3.0 + 0.6 + 0.3) / 3)
    assert short["pnl"] == pytest.approx(20 * 10 - (2.0 + 2.0))
    assert short["costs"] == pytest.approx((3.0 + 0.6 + 0.3) * 2 / 3 + 2.0)
    assert short["entry_order_ids"] == "b"
    assert short["exit_order_ids"] == "c"
    # Nothing is lost or double counted in the split.
    assert out["costs"].sum() == pytest.approx(1.0 + 3.9 + 2.0)


def test_scale_in_twice_then_one_exit() -> None:
    out = trips(
        fill(0, "buy", 10, 100.0, commission=1.0, reason="first", oid="a"),
        fill(1, "buy", 10, 110.0, commission=1.0, reason="add", oid="b"),
        fill(2, "sell", 20, 120.0, commission=2.0, reason="target", oid="c"),
    )
    assert len(out) == 1
    t = out.iloc[0]
    assert t["quantity"] == 20
    assert t["entry_price"] == pytest.approx(105.0)
    assert t["exit_price"] == pytest.approx(120.0)
    assert t["pnl"] == pytest.approx(10 * 20 + 10 * 10 - 4.0)
    assert t["entry_reason"] == "first"
    assert t["entry_order_ids"] == "a;b"
    assert t["return_pct"] == pytest.approx(296.0 / 2_100.0)


def test_partial_exits() -> None:
    out = trips(
        fill(0, "buy", 20, 100.0, oid="a"),
        fill(1, "sell", 5, 110.0, reason="take_profit", oid="x"),
        fill(2, "sell", 15, 90.0, reason="stop", oid="y"),
    )
    assert len(out) == 1
    t = out.iloc[0]
    assert t["quantity"] == 20
    assert t["exit_price"] == pytest.approx((5 * 110 + 15 * 90) / 20)
    assert t["pnl"] == pytest.approx(5 * 10 - 15 * 10)
    assert t["exit_reason"] == "stop"  # the fill that brought it back to flat
    assert t["exit_order_ids"] == "x;y"
    assert t["exit_time"] == DAY0 + pd.Timedelta(days=2)


def test_quantity_is_max_position_when_scaling_out_and_back_in() -> None:
    out = trips(
        fill(0, "buy", 10, 100.0),
        fill(1, "sell", 5, 104.0),
        fill(2, "buy", 3, 102.0),
        fill(3, "sell", 8, 106.0),
    )
    t = out.iloc[0]
    assert t["quantity"] == 10
    # Cash in minus cash out: -1000 + 520 - 306 + 848.
    assert t["pnl"] == pytest.approx(62.0)


def test_open_position_at_end_is_marked() -> None:
    out = trips(
        fill(0, "buy", 10, 100.0, commission=1.0, oid="a"),
        fill(1, "sell", 4, 105.0, commission=0.4, reason="trim", oid="b"),
        last={"AAA": 110.0},
    )
    t = out.iloc[0]
    assert t["exit_reason"] == "open_at_end"
    assert t["exit_time"] == END
    assert t["exit_price"] == pytest.approx((4 * 105 + 6 * 110) / 10)
    assert t["pnl"] == pytest.approx(4 * 5 + 6 * 10 - 1.4)
    assert t["costs"] == pytest.approx(1.4)  # no exit costs for the mark
    assert t["exit_order_ids"] == "b"


def test_open_position_without_last_price_raises() -> None:
    with pytest.raises(ValueError, match="'AAA' is open at the end"):
        trips(fill(0, "buy", 10, 100.0))


def test_ordering_by_entry_time_then_symbol() -> None:
    out = trips(
        fill(0, "buy", 1, 10.0, symbol="ZZZ"),
        fill(0, "buy", 1, 20.0, symbol="AAA"),
        fill(1, "sell", 1, 21.0, symbol="AAA"),
        fill(2, "sell", 1, 11.0, symbol="ZZZ"),
        fill(3, "buy", 1, 22.0, symbol="AAA"),
        last={"AAA": 23.0},
    )
    assert list(out["trade_id"]) == [1, 2, 3]
    assert list(out["symbol"]) == ["AAA", "ZZZ", "AAA"]


def test_fills_are_sorted_by_time_and_ties_keep_input_order() -> None:
    # Same timestamp: buy then sell is a closed round trip; reversed input would be a short.
    out = trips(
        fill(5, "sell", 1, 11.0),
        fill(0, "buy", 1, 10.0),
        fill(5, "buy", 1, 12.0),
        last={"AAA": 12.0},
    )
    assert list(out["side"]) == ["long", "long"]
    assert out.iloc[0]["pnl"] == pytest.approx(1.0)


def test_fractional_quantities_close_despite_rounding() -> None:
    out = trips(fill(0, "buy", 0.1, 100.0), fill(1, "buy", 0.2, 100.0), fill(2, "sell", 0.3, 101.0))
    assert len(out) == 1
    assert out.iloc[0]["exit_reason"] == ""
    assert out.iloc[0]["pnl"] == pytest.approx(0.3)


def test_empty_fills_give_empty_typed_frame() -> None:
    out = trips()
    assert list(out.columns) == list(TRADE_COLUMNS)
    assert len(out) == 0
    assert str(out["entry_time"].dtype) == "datetime64[ns, UTC]"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"side": "hold"}, "side"),
        ({"quantity": 0.0}, "quantity"),
        ({"price": float("nan")}, "price"),
        ({"commission": float("inf")}, "commission"),
    ],
)
def test_invalid_fills_raise(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        trips({**fill(0, "buy", 1, 10.0), **bad}, last={"AAA": 10.0})


def test_missing_columns_raise() -> None:
    with pytest.raises(ValueError, match="missing columns"):
        round_trips(pd.DataFrame({"ts": [DAY0]}), {}, END)


def test_last_ts_may_be_none_only_when_flat() -> None:
    flat = pd.DataFrame([fill(0, "buy", 1, 10.0), fill(1, "sell", 1, 11.0)])
    assert len(round_trips(flat, {}, None)) == 1
    with pytest.raises(ValueError, match="last_ts is None"):
        round_trips(flat.iloc[:1], {"AAA": 10.0}, None)


def test_last_ts_before_last_fill_raises() -> None:
    frame = pd.DataFrame([fill(0, "buy", 1, 10.0)])
    with pytest.raises(ValueError, match="before the last fill"):
        round_trips(frame, {"AAA": 10.0}, DAY0 - pd.Timedelta(days=1))


fill_steps = st.lists(
    st.tuples(
        st.sampled_from(["buy", "sell"]),
        st.integers(min_value=1, max_value=50),
        st.integers(min_value=50, max_value=150),
        st.integers(min_value=0, max_value=5),
    ),
    min_size=1,
    max_size=30,
)


@given(fill_steps, st.integers(min_value=50, max_value=150))
def test_trade_pnl_sums_to_cash_flow_pnl(steps: list[tuple[str, int, int, int]], mark: int) -> None:
    fills = [
        fill(i, side, qty, float(px), commission=float(c), oid=f"o{i}")
        for i, (side, qty, px, c) in enumerate(steps)
    ]
    out = trips(*fills, last={"AAA": float(mark)})
    position = sum(q if s == "buy" else -q for s, q, _, _ in steps)
    cash = sum((-q if s == "buy" else q) * px - c for s, q, px, c in steps)
    assert out["pnl"].sum() == pytest.approx(cash + position * mark, abs=1e-6)
    assert out["costs"].sum() == pytest.approx(sum(c for *_, c in steps), abs=1e-9)
    assert (out["quantity"] > 0).all()
    assert list(out["trade_id"]) == list(range(1, len(out) + 1))
    # Only the last trade can still be open, and only if the position is not flat.
    assert (out["exit_reason"] == "open_at_end").sum() == (1 if position else 0)
