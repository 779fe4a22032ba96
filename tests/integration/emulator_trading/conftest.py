"""Fixtures of the trading-emulator tests (the helpers live in helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quantrail.emulator import TradingHandle

from .helpers import TradingClient, client_for, start


@pytest.fixture
def emu() -> Iterator[TradingHandle]:
    with start() as handle:
        yield handle


@pytest.fixture
def client(emu: TradingHandle) -> TradingClient:
    return client_for(emu)
