"""`quantrail status` reads the state store a live engine writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quantrail.cli.main import main
from quantrail.core import Fill, Order, OrderIntent, Side
from quantrail.store.state import StateStore


def test_status_shows_positions_and_markers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    store = StateStore.open(url)
    order = Order("S1-1", 1, OrderIntent("SPY", Side.BUY, 10), "S1", 1)
    store.record_submit_intent(order)
    fill = Fill("F1", "S1-1", "SPY", Side.BUY, 10, 100.0, 100.0, 1.0, 0.0, 0.0, 2, "taker",
                "next_open")  # fmt: skip
    assert store.record_fill(fill, "X-1")
    store.set_marker("SPY@1min", 2)
    store.close()
    assert main(["status", url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "SPY" in json.dumps(report["positions"])
    assert "SPY@1min" in json.dumps(report["markers"])


def test_the_last_fill_of_an_order_delivered_twice_is_a_duplicate(tmp_path: Path) -> None:
    store = StateStore.open(f"sqlite:///{tmp_path / 'state.sqlite'}")
    order = Order("S1-1", 1, OrderIntent("SPY", Side.BUY, 10), "S1", 1)
    store.record_submit_intent(order)
    fill = Fill("F1", "S1-1", "SPY", Side.BUY, 10, 100.0, 100.0, 0.0, 0.0, 0.0, 2, "taker",
                "next_open")  # fmt: skip
    assert store.record_fill(fill, "X-1") is True
    assert store.record_fill(fill, "X-1") is False  # not an overfill error
    assert store.load_positions()["SPY"].quantity == 10
    store.close()
