"""Order round trips with the real alpaca-py TradingClient and TradingStream.

Bar k (0-based, ten per session) opens at 100 + k, with high +0.5, low -0.5, close +0.25 and
volume 1000; the fill model takes at most 10 % of it (100 shares) per bar and charges nothing,
so every expected price below is the fill model's reference price from docs/backtesting.md.
"""

from __future__ import annotations

import pytest
import requests

from quantrail.emulator import TradingHandle

from .helpers import (
    APIError,
    GetOrdersRequest,
    OrderStatus,
    QueryOrderStatus,
    ReplaceOrderRequest,
    TradingClient,
    client_for,
    request,
    start,
    trade_updates,
)


def test_account_starts_with_the_configured_cash(client: TradingClient) -> None:
    account = client.get_account()
    assert float(account.cash) == 100_000.0
    assert float(account.equity) == 100_000.0
    assert float(account.buying_power) == 100_000.0
    assert client.get_all_positions() == []


def test_a_market_order_fills_at_the_next_bar_open_and_books_cash_and_position(
    emu: TradingHandle, client: TradingClient
) -> None:
    order = client.submit_order(request("m1", 10))
    assert order.status is OrderStatus.NEW
    assert order.client_order_id == "m1"

    assert emu.advance_bars(1) == 1
    filled = client.get_order_by_id(order.id)
    assert filled.status is OrderStatus.FILLED
    assert float(filled.filled_qty) == 10
    assert float(filled.filled_avg_price) == 100.0  # bar 0's open

    [position] = client.get_all_positions()
    assert (position.symbol, float(position.qty), float(position.avg_entry_price)) == (
        "AAPL",
        10,
        100.0,
    )
    assert float(position.current_price) == 100.25  # marked at the last replayed close
    account = client.get_account()
    assert float(account.cash) == 99_000.0
    assert float(account.equity) == pytest.approx(99_000.0 + 10 * 100.25)
    assert float(client.get_open_position("AAPL").qty) == 10


def test_limit_stop_and_stop_limit_fill_where_the_fill_model_says(
    emu: TradingHandle, client: TradingClient
) -> None:
    emu.advance_bars(1)  # now at bar 1: open 101, high 101.5, low 100.5
    client.submit_order(request("lim", limit=100.8))  # trades through at bar 1 -> 100.8
    client.submit_order(request("stp", stop=102.2))  # bar 2 (high 102.5) triggers -> 102.2
    client.submit_order(request("stl", stop=102.8, limit=103.0))  # bar 3 gaps to 103 -> 103
    client.submit_order(request("mkt", 5, "sell"))  # bar 1 open -> 101

    assert emu.advance_bars(3) == 3
    prices = {
        c: float(client.get_order_by_client_id(c).filled_avg_price)
        for c in ("lim", "stp", "stl", "mkt")
    }
    assert prices == {"lim": 100.8, "stp": 102.2, "stl": 103.0, "mkt": 101.0}
    assert float(client.get_open_position("AAPL").qty) == 25
    expected_cash = 100_000 - 10 * (100.8 + 102.2 + 103.0) + 5 * 101.0
    assert float(client.get_account().cash) == pytest.approx(expected_cash)


def test_ioc_and_fok_cancel_what_the_first_bar_cannot_fill(
    emu: TradingHandle, client: TradingClient
) -> None:
    client.submit_order(request("ioc-away", limit=50.0, tif="ioc"))
    client.submit_order(request("fok-big", 500, tif="fok"))  # the volume cap allows 100
    client.submit_order(request("ioc-big", 150, tif="ioc"))
    emu.advance_bars(1)

    assert client.get_order_by_client_id("ioc-away").status is OrderStatus.CANCELED
    fok = client.get_order_by_client_id("fok-big")
    assert (fok.status, float(fok.filled_qty)) == (OrderStatus.CANCELED, 0)
    ioc = client.get_order_by_client_id("ioc-big")
    assert (ioc.status, float(ioc.filled_qty)) == (OrderStatus.CANCELED, 100)


def test_the_volume_cap_fills_a_large_order_over_several_bars(
    emu: TradingHandle, client: TradingClient
) -> None:
    with trade_updates(emu) as updates:
        client.submit_order(request("big", 250))
        emu.advance_bars(3)
        updates.wait_for(lambda items: any(u.event == "fill" for u in items))
        assert updates.events("big") == ["new", "partial_fill", "partial_fill", "fill"]
        assert [float(u.qty) for u in updates.items[1:]] == [100, 100, 50]
        assert [float(u.position_qty) for u in updates.items[1:]] == [100, 200, 250]
        assert len({u.execution_id for u in updates.items[1:]}) == 3
    order = client.get_order_by_client_id("big")
    assert float(order.filled_avg_price) == pytest.approx((100 * 100 + 100 * 101 + 50 * 102) / 250)


def test_a_day_order_expires_with_its_session(emu: TradingHandle, client: TradingClient) -> None:
    with trade_updates(emu) as updates:
        client.submit_order(request("day", limit=50.0, tif="day"))
        emu.advance_bars(10)  # the whole first session
        assert client.get_order_by_client_id("day").status is OrderStatus.NEW
        emu.advance_bars(1)  # the first bar of the next session
        updates.wait_count(2)
        assert updates.events("day") == ["new", "expired"]
    assert client.get_order_by_client_id("day").status is OrderStatus.EXPIRED


def test_cancel_round_trip(emu: TradingHandle, client: TradingClient) -> None:
    with trade_updates(emu) as updates:
        order = client.submit_order(request("c1", limit=50.0))
        assert [o.id for o in client.get_orders()] == [order.id]  # open orders
        client.cancel_order_by_id(order.id)
        updates.wait_count(2)
        assert updates.events("c1") == ["new", "canceled"]
    assert client.get_order_by_id(order.id).status is OrderStatus.CANCELED
    assert client.get_orders() == []
    closed = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.CLOSED))
    assert [o.id for o in closed] == [order.id]
    with pytest.raises(APIError) as refused:
        client.cancel_order_by_id(order.id)
    assert refused.value.status_code == 422
    emu.advance_bars(2)
    assert client.get_all_positions() == []


def test_replace_round_trip(emu: TradingHandle, client: TradingClient) -> None:
    emu.advance_bars(1)
    with trade_updates(emu) as updates:
        original = client.submit_order(request("r1", limit=50.0))
        change = ReplaceOrderRequest(qty=20, limit_price=100.8, client_order_id="r2")
        new = client.replace_order_by_id(original.id, change)
        assert (new.client_order_id, new.replaces, new.status) == ("r2", original.id, "new")
        assert (float(new.qty), float(new.limit_price)) == (20, 100.8)
        old = client.get_order_by_id(original.id)
        assert (old.status, old.replaced_by) == (OrderStatus.REPLACED, new.id)

        emu.advance_bars(1)
        updates.wait_count(4)
        assert updates.events() == ["new", "replaced", "new", "fill"]
        assert updates.events("r2") == ["new", "fill"]
    filled = client.get_order_by_client_id("r2")
    assert (filled.status, float(filled.filled_qty)) == (OrderStatus.FILLED, 20)
    assert float(filled.filled_avg_price) == 100.8
    with pytest.raises(APIError) as refused:
        client.replace_order_by_id(original.id, ReplaceOrderRequest(limit_price=99.0))
    assert refused.value.status_code == 422


def test_a_fill_that_beats_a_replace_in_flight_rejects_the_replacing_order() -> None:
    # With 30 s of latency the replace sent at bar 1's open lands at bar 2; the limit fills first.
    with start(latency="30s") as emu, trade_updates(emu) as updates:
        client = client_for(emu)
        original = client.submit_order(request("race", limit=100.8))
        emu.advance_bars(1)  # bar 0: the order is still on its way
        change = ReplaceOrderRequest(limit_price=90.0, client_order_id="race-2")
        replacing = client.replace_order_by_id(original.id, change)
        assert replacing.status is OrderStatus.PENDING_NEW
        assert client.get_order_by_id(original.id).status is OrderStatus.PENDING_REPLACE
        emu.advance_bars(1)
        updates.wait_count(4)
        assert updates.events() == ["new", "pending_replace", "fill", "rejected"]
        assert client.get_order_by_id(original.id).status is OrderStatus.FILLED
        assert client.get_order_by_client_id("race-2").status is OrderStatus.REJECTED


def test_a_client_order_id_is_unique_forever(emu: TradingHandle, client: TradingClient) -> None:
    first = client.submit_order(request("once", limit=50.0))
    for attempt in (request("once"), request("once", 1, "sell", symbol="MSFT")):
        with pytest.raises(APIError) as refused:
            client.submit_order(attempt)
        assert refused.value.status_code == 422
        assert refused.value.message == "client_order_id must be unique"
    client.cancel_order_by_id(first.id)
    with pytest.raises(APIError):
        client.submit_order(request("once"))  # a finished order keeps its id too
    assert [o.id for o in client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL))] == [
        first.id
    ]
    stats = emu.stats
    assert (stats.duplicate_client_order_ids, stats.orders_refused) == (3, 3)
    assert stats.orders_submitted == 1


def test_orders_are_found_by_id_and_by_client_order_id(client: TradingClient) -> None:
    a = client.submit_order(request("q1", limit=50.0))
    b = client.submit_order(request("q2", 1, "sell", limit=500.0, symbol="MSFT"))
    assert client.get_order_by_client_id("q2").id == b.id
    assert client.get_order_by_id(a.id).client_order_id == "q1"
    assert [o.id for o in client.get_orders()] == [b.id, a.id]  # newest first, as Alpaca
    only_msft = client.get_orders(GetOrdersRequest(symbols=["MSFT"]))
    assert [o.id for o in only_msft] == [b.id]
    for missing in (
        lambda: client.get_order_by_client_id("nope"),
        lambda: client.get_order_by_id("00000000-0000-0000-0000-000000000000"),
    ):
        with pytest.raises(APIError) as not_found:
            missing()
        assert not_found.value.status_code == 404


def test_refusals_store_nothing(emu: TradingHandle, client: TradingClient) -> None:
    with pytest.raises(APIError) as unknown:
        client.submit_order(request("x1", symbol="NOPE"))
    assert unknown.value.status_code == 422
    with pytest.raises(APIError) as too_big:
        client.submit_order(request("x2", 5_000))  # 5,000 x 100 > 100,000 of cash
    assert too_big.value.status_code == 403
    assert client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL)) == []
    assert requests.get(f"{emu.rest_url}/v2/account", timeout=5).status_code == 401
