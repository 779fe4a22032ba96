"""Every trading fault, seen through the real alpaca-py clients and counted in the stats."""

from __future__ import annotations

import functools
import time

import pytest
import requests

from quantrail.emulator import TradingFaultPlan

from .helpers import APIError, OrderStatus, client_for, request, start, trade_updates


def test_a_dropped_trade_stream_is_counted_and_the_client_reconnects() -> None:
    with start(TradingFaultPlan(drop_updates_after=2)) as emu, trade_updates(emu) as updates:
        client = client_for(emu)
        client.submit_order(request("d1"))
        emu.advance_bars(1)
        updates.wait_count(2)  # new, fill: the socket is cut right after the fill
        emu.wait_for_listeners()  # alpaca-py reconnects by itself (after ~1 s)
        assert emu.stats.stream_drops == 1
        client.submit_order(request("d2", limit=50.0))
        updates.wait_count(3)
        assert updates.events() == ["new", "fill", "new"]
        assert emu.drop_trade_streams() == 1  # on command, too
        stats = emu.stats
        assert (stats.stream_drops, stats.stream_connections) == (2, 2)


def test_updates_are_delayed_but_keep_their_order() -> None:
    with start(TradingFaultPlan(update_delay=0.5)) as emu, trade_updates(emu) as updates:
        client = client_for(emu)
        sent = time.monotonic()
        order = client.submit_order(request("slow"))
        assert time.monotonic() - sent < 0.4  # REST is not delayed
        assert order.status is OrderStatus.NEW
        emu.advance_bars(1)
        updates.wait_count(2)
        assert updates.times[0] - sent >= 0.45
        assert updates.events() == ["new", "fill"]
        assert emu.stats.updates_delayed == 2


def test_a_fill_can_arrive_before_the_acknowledgement() -> None:
    plan = TradingFaultPlan(reorder_acks=True, reorder_hold_seconds=0.3)
    with start(plan) as emu, trade_updates(emu) as updates:
        client = client_for(emu)
        client.submit_order(request("early"))
        emu.advance_bars(1)
        updates.wait_count(2)
        assert updates.events("early") == ["fill", "new"]
        assert updates.items[0].order.status is OrderStatus.FILLED
        client.submit_order(request("alone", limit=50.0))  # nothing follows its ack
        updates.wait_count(3)  # ...so it goes alone after the hold
        assert emu.stats.acks_reordered == 1


def test_a_fill_update_is_duplicated_with_the_same_execution_id() -> None:
    with start(TradingFaultPlan(duplicate_fills_every=1)) as emu, trade_updates(emu) as updates:
        client_for(emu).submit_order(request("dup"))
        emu.advance_bars(1)
        updates.wait_count(3)
        assert updates.events() == ["new", "fill", "fill"]
        assert updates.items[1].execution_id == updates.items[2].execution_id
        assert emu.stats.fill_duplicates_sent == 1
        assert emu.stats.fills == 1  # booked once
    assert len(emu.venue.book.fills) == 1


def test_orders_are_rejected_by_symbol_by_number_and_on_command() -> None:
    plan = TradingFaultPlan(reject_symbols=frozenset({"MSFT"}), reject_orders=(2,))
    with start(plan) as emu, trade_updates(emu) as updates:
        client = client_for(emu)
        ok = client.submit_order(request("r1"))
        second = client.submit_order(request("r2"))
        msft = client.submit_order(request("r3", symbol="MSFT"))
        assert (ok.status, second.status, msft.status) == ("new", "accepted", "accepted")
        emu.set_faults(TradingFaultPlan(reject_symbols=frozenset({"AAPL"})))
        client.submit_order(request("r4"))
        updates.wait_count(4)
        assert updates.events() == ["new", "rejected", "rejected", "rejected"]
        assert client.get_order_by_id(second.id).status is OrderStatus.REJECTED
        emu.advance_bars(1)
        assert float(client.get_open_position("AAPL").qty) == 10  # only r1 traded
        assert emu.stats.orders_rejected == 3


def test_http_429_carries_retry_after_and_alpaca_py_retries_it() -> None:
    with start(TradingFaultPlan(http_429_on=(1, 3), retry_after=2)) as emu:
        raw = requests.get(f"{emu.rest_url}/v2/account", timeout=5)
        assert (raw.status_code, raw.headers["Retry-After"]) == (429, "2")
        client = client_for(emu)
        client.get_account()  # request 2
        order = client.submit_order(request("rl"))  # request 3 is 429; the retry is 4
        assert order.client_order_id == "rl"
        statuses = [r.status for r in emu.market_stats.requests_to("/v2/orders")]
        assert statuses == [429, 200]
        assert emu.stats.responses_429 == 2
        assert emu.stats.orders_submitted == 1


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_on_chosen_requests(status: int) -> None:
    with start(TradingFaultPlan(http_5xx_on=(2,), http_5xx_status=status)) as emu:
        client = client_for(emu)
        client.get_account()
        with pytest.raises(APIError) as failed:
            client.submit_order(request("e1"))
        assert failed.value.status_code == status
        assert client.get_orders() == []  # the faulted request did nothing
        client.submit_order(request("e1"))  # so the same id is free
        assert emu.stats.responses_5xx == 1


def test_a_lost_submit_answer_is_resolved_by_asking_for_the_client_order_id() -> None:
    with start(TradingFaultPlan(submit_timeout_on=(1,))) as emu:
        client = client_for(emu)
        with pytest.raises(requests.exceptions.ConnectionError):
            client.submit_order(request("lost"))
        found = client.get_order_by_client_id("lost")  # it was stored and works
        assert found.status is OrderStatus.NEW
        with pytest.raises(APIError) as again:
            client.submit_order(request("lost"))  # sending it twice is refused
        assert again.value.status_code == 422
        emu.advance_bars(1)
        assert client.get_order_by_id(found.id).status is OrderStatus.FILLED
        assert float(client.get_open_position("AAPL").qty) == 10  # once, not twice
        assert (emu.stats.submit_timeouts, emu.stats.orders_submitted) == (1, 1)


def test_a_late_submit_answer_outlives_the_client_timeout() -> None:
    plan = TradingFaultPlan(submit_timeout_on=(1,), submit_timeout_delay=1.0)
    with start(plan) as emu:
        client = client_for(emu)
        # alpaca-py sets no timeout of its own; give its session one, as a careful adapter does.
        session = client._session
        session.request = functools.partial(session.request, timeout=0.3)  # type: ignore[method-assign]
        with pytest.raises(requests.exceptions.Timeout):
            client.submit_order(request("late"))
        assert client.get_order_by_client_id("late").status is OrderStatus.NEW
        assert emu.stats.submit_timeouts == 1


def test_orders_fill_only_partly_near_the_close() -> None:
    # Volume seen on the last two bars of each session: 30, so the 10 % cap allows 3 a bar.
    with start(TradingFaultPlan(close_bars=2, close_volume=30)) as emu, trade_updates(emu) as u:
        client = client_for(emu)
        emu.advance_bars(8)
        client.submit_order(request("gtc", 10))
        client.submit_order(request("day", 10, tif="day", symbol="MSFT"))
        emu.advance_bars(2)  # bars 8 and 9, the session's last two
        gtc = client.get_order_by_client_id("gtc")
        assert (gtc.status, float(gtc.filled_qty)) == (OrderStatus.PARTIALLY_FILLED, 6)
        emu.advance_bars(1)  # next session: full volume again
        u.wait_for(lambda items: len(items) == 8)
        assert u.events("gtc") == ["new", "partial_fill", "partial_fill", "fill"]
        assert u.events("day") == ["new", "partial_fill", "partial_fill", "expired"]
        assert emu.stats.close_capped_bars == 4  # two bars of AAPL and of MSFT
        day = client.get_order_by_client_id("day")
        assert (day.status, float(day.filled_qty)) == (OrderStatus.EXPIRED, 6)
