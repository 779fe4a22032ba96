"""A restart that forgets nothing: stop the emulator, start a new one on the same state file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .helpers import (
    APIError,
    GetOrdersRequest,
    OrderStatus,
    QueryOrderStatus,
    TradingClient,
    client_for,
    request,
    start,
    trade_updates,
)


def snapshot(client: TradingClient) -> dict[str, Any]:
    """What a client can see of the account: cash, positions, every order."""
    orders = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL))
    return {
        "cash": client.get_account().cash,
        "equity": client.get_account().equity,
        "positions": {p.symbol: (p.qty, p.avg_entry_price) for p in client.get_all_positions()},
        "orders": {
            o.client_order_id: (o.id, o.status, o.filled_qty, o.filled_avg_price) for o in orders
        },
    }


def test_a_restart_keeps_orders_fills_positions_and_the_replay_position(tmp_path: Path) -> None:
    state = tmp_path / "account.json"
    with start(state=state) as first:
        client = client_for(first)
        client.submit_order(request("buy", 10))
        client.submit_order(request("part", 250, symbol="MSFT"))  # 100 a bar under the cap
        client.submit_order(request("rest", limit=50.0))
        first.advance_bars(1)
        before = snapshot(client)
        clock = first.clock_ns
    assert before["orders"]["part"][1:3] == (OrderStatus.PARTIALLY_FILLED, "100")
    assert json.loads(state.read_text())["version"] == 1

    with start(state=state) as second:
        client = client_for(second)
        assert snapshot(client) == before
        assert second.clock_ns == clock
        assert second.stats.restored_orders == 3
        with pytest.raises(APIError) as again:
            client.submit_order(request("buy", 10))
        assert again.value.status_code == 422

        with trade_updates(second) as updates:
            assert second.advance_bars(2) == 2  # bars 1 and 2: the replay resumes, not restarts
            client.cancel_order_by_id(before["orders"]["rest"][0])  # live in the new fill model
            updates.wait_count(3)
            assert updates.events() == ["partial_fill", "fill", "canceled"]  # no second "new"
        part = client.get_order_by_client_id("part")
        assert (part.status, float(part.filled_qty)) == (OrderStatus.FILLED, 250)
        assert float(part.filled_avg_price) == pytest.approx(
            (100 * 100 + 100 * 101 + 50 * 102) / 250
        )
        after = snapshot(client)

    with start(state=state) as third:
        assert snapshot(client_for(third)) == after
        assert len(third.venue.book.fills) == 4  # buy, and part in three pieces
        assert third.stats.restored_orders == 3
        assert client_for(third).get_orders() == []  # nothing open any more


def test_without_a_state_file_nothing_is_written(tmp_path: Path) -> None:
    with start() as emu:
        client_for(emu).submit_order(request("x"))
        emu.advance_bars(1)
    assert list(tmp_path.iterdir()) == []
