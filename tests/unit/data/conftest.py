"""Fixtures for the data package: tiny hand-written bar files in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from quantrail.data import BarFrame, DataConfig, load_bars

HEADER = "timestamp,open,high,low,close,volume"
WriteCsv = Callable[..., Path]
LoadCsv = Callable[..., BarFrame]
BarLine = Callable[..., str]


def bar_line(
    stamp: str,
    o: float | str = 10,
    h: float | str = 11,
    low: float | str = 9,
    c: float | str = 10.5,
    v: float | str = 100,
) -> str:
    """One CSV bar line; a bare date becomes New York midnight like the bundled daily files."""
    if len(stamp) == 10:
        stamp = f"{stamp}T00:00:00-05:00"
    return f"{stamp},{o},{h},{low},{c},{v}"


@pytest.fixture
def bar() -> BarLine:
    """The :func:`bar_line` helper (fixtures are how test modules share code here)."""
    return bar_line


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write ``lines`` under ``header`` to tmp_path/``name`` and return the path."""

    def write(lines: list[str], header: str = HEADER, name: str = "bars.csv") -> Path:
        path = tmp_path / name
        path.write_text("\n".join([header, *lines]) + "\n")
        return path

    return write


@pytest.fixture
def load_csv(write_csv: WriteCsv) -> LoadCsv:
    """Write a CSV and load it with a config built from keyword overrides (default 1d equity)."""

    def load(lines: list[str], header: str = HEADER, **overrides: Any) -> BarFrame:
        path = write_csv(lines, header)
        fields: dict[str, Any] = {"symbol": "TEST", "path": path, "frequency": "1d"}
        return load_bars(DataConfig(**(fields | overrides)))

    return load
