"""Strategy level: daily loss shutoff, trade frequency, price sanity, contradictory intents."""

from __future__ import annotations

from typing import Any

from quantrail.core import OrderType, Side
from quantrail.risk import RiskAction, RiskEngine, RiskMode
from tests.unit.risk.fakes import SECOND, FakeView, bar, bare, book, order


def _long_1000() -> FakeView:
    return FakeView(book(cash=100_000.0, X=1000))  # all in: equity moves 1:1 with X


def test_daily_loss_at_the_limit_passes_beyond_it_switches_to_reduce_only() -> None:
    risk = RiskEngine(bare(daily_loss={"max_loss_pct": 0.05}))
    view = _long_1000()
    assert risk.on_bar(bar(close=100.0, session=1), view) == []
    view.portfolio.last_prices["X"] = 95.0  # -5.00 %
    assert risk.on_bar(bar(close=95.0, session=1), view) == []
    assert risk.mode is RiskMode.ACTIVE
    view.portfolio.last_prices["X"] = 94.99
    assert risk.on_bar(bar(close=94.99, session=1), view) == [RiskAction.REDUCE_ONLY]
    assert risk.mode is RiskMode.REDUCE_ONLY
    assert risk.on_bar(bar(close=94.99, session=1), view) == []  # reported once
    event = next(e for e in risk.events() if e.rule == "daily_loss")
    assert event.severity == "reduce_only"
    assert event.values["start_equity"] == 100_000.0
    entry = risk.check(order(Side.BUY, 1), view)
    assert entry is not None
    assert entry.rule == "reduce_only"
    assert risk.check(order(Side.SELL, 1000), view) is None


def test_daily_loss_resets_at_the_next_session_from_the_previous_close() -> None:
    risk = RiskEngine(bare(daily_loss={"max_loss_pct": 0.05}))
    view = _long_1000()
    risk.on_bar(bar(close=100.0, session=1), view)
    view.portfolio.last_prices["X"] = 90.0
    risk.on_bar(bar(close=90.0, session=1), view)
    assert risk.mode is RiskMode.REDUCE_ONLY
    view.portfolio.last_prices["X"] = 86.0  # -4.4 % from 90,000, the last session's close
    assert risk.on_bar(bar(close=86.0, session=2), view) == []
    assert risk.mode is RiskMode.ACTIVE
    assert risk.check(order(Side.BUY, 1), FakeView(book())) is None
    view.portfolio.last_prices["X"] = 85.49  # -5.01 % from 90,000
    assert risk.on_bar(bar(close=85.49, session=2), view) == [RiskAction.REDUCE_ONLY]


def test_daily_loss_counts_realized_losses_from_fills() -> None:
    from tests.unit.risk.fakes import fill

    risk = RiskEngine(bare(daily_loss={"max_loss_pct": 0.05}))
    view = _long_1000()
    risk.on_bar(bar(session=1), view)
    view.portfolio.apply_fill(fill("X", Side.SELL, 1000, 94.0))
    assert risk.on_fill(fill("X", Side.SELL, 1000, 94.0), view) == [RiskAction.REDUCE_ONLY]


def test_orders_per_minute_count_only_submitted_orders() -> None:
    risk = RiskEngine(bare(frequency={"max_orders_per_minute": 2}, max_order_quantity=10))
    view = FakeView(now=0)
    for ts in (0, 10 * SECOND):
        view.now = ts
        sent = order(Side.BUY, 1)
        assert risk.check(sent, view) is None
        risk.on_order_submitted(sent, ts)
    view.now = 20 * SECOND
    denial = risk.check(order(Side.BUY, 1), view)
    assert denial is not None
    assert denial.rule == "max_orders_per_minute"
    view.now = 60 * SECOND  # the order at 0 s has left the window (60 s, 60 s]
    assert risk.check(order(Side.BUY, 1), view) is None
    # Refused orders never count: repeated denials leave the budget as it was.
    view.now = 61 * SECOND
    fresh = RiskEngine(bare(frequency={"max_orders_per_minute": 1}, max_order_quantity=10))
    for _ in range(3):
        assert fresh.check(order(Side.BUY, 11), view) is not None
    assert fresh.check(order(Side.BUY, 1), view) is None


def test_orders_per_day_reset_with_the_session() -> None:
    risk = RiskEngine(bare(frequency={"max_orders_per_day": 2}))
    view = FakeView()
    risk.on_bar(bar(session=1), view)
    for _ in range(2):
        sent = order(Side.BUY, 1)
        assert risk.check(sent, view) is None
        risk.on_order_submitted(sent, 0)
    denial = risk.check(order(Side.BUY, 1), view)
    assert denial is not None
    assert denial.rule == "max_orders_per_day"
    assert denial.limit == 2
    risk.on_bar(bar(session=2), view)
    assert risk.check(order(Side.BUY, 1), view) is None


def test_limit_and_stop_prices_far_from_the_market_are_refused() -> None:
    risk = RiskEngine(bare(signal={"max_price_deviation": 0.2}))
    view = FakeView(book(X=10))  # last price 100

    def rule(**kw: Any) -> str:
        denial = risk.check(order(Side.BUY, 1, **kw), view)
        return "pass" if denial is None else denial.rule

    assert rule(order_type=OrderType.LIMIT, limit_price=80.0) == "pass"
    assert rule(order_type=OrderType.LIMIT, limit_price=79.99) == "max_price_deviation"
    assert rule(order_type=OrderType.STOP, stop_price=120.0) == "pass"
    assert rule(order_type=OrderType.STOP, stop_price=120.01) == "max_price_deviation"
    far_exit = order(Side.SELL, 10, order_type=OrderType.STOP, stop_price=10.0)
    assert risk.check(far_exit, view) is not None  # a fat finger on an exit is still one


def test_a_buy_and_a_sell_from_one_strategy_at_one_ts_are_contradictory() -> None:
    risk = RiskEngine(bare())
    view = FakeView(book(X=10), now=5)
    buy = order(Side.BUY, 5)
    assert risk.check(buy, view) is None
    risk.on_order_submitted(buy, 5)
    denial = risk.check(order(Side.SELL, 5), view)
    assert denial is not None
    assert denial.rule == "contradictory_intents"
    assert risk.check(order(Side.SELL, 5, strategy="OTHER"), view) is None
    assert (
        risk.check(order(Side.SELL, 5, symbol="Y"), FakeView(book(prices={"Y": 1.0}), now=5))
        is None
    )
    stop = order(Side.SELL, 10, order_type=OrderType.STOP, stop_price=90.0)
    assert risk.check(stop, view) is None  # the entry's protective stop
    view.now = 6
    assert risk.check(order(Side.SELL, 5), view) is None


def test_a_denied_order_is_not_the_first_half_of_a_contradiction() -> None:
    risk = RiskEngine(bare(max_order_quantity=10))
    view = FakeView(book(X=10), now=5)
    assert risk.check(order(Side.BUY, 50), view) is not None  # refused, never sent
    assert risk.check(order(Side.SELL, 5), view) is None
