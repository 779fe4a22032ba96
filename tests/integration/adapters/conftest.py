"""Fixtures of the adapter tests: a state store in ``tmp_path`` (the emulator is started by
each test, with its own fault plan, through ``tests.integration.emulator_trading.helpers``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quantrail.store.state import StateStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore.open(f"sqlite:///{tmp_path / 'state.sqlite'}") as opened:
        yield opened
