"""DataConfig: field validation and derived values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from quantrail.core.time import NANOS_PER_DAY, NANOS_PER_MINUTE
from quantrail.data import DataConfig


def make(**overrides: Any) -> DataConfig:
    fields: dict[str, Any] = {"symbol": "SPY", "path": "bars.csv", "frequency": "1d"}
    return DataConfig(**(fields | overrides))


def test_defaults() -> None:
    cfg = make()
    assert cfg.timestamps == "bar_start"
    assert cfg.timezone is None
    assert cfg.asset_class == "equity"
    assert cfg.tick_size == 0.01
    assert cfg.lot_size == 1.0
    assert cfg.path == Path("bars.csv")
    assert cfg.quotes_path is None


@pytest.mark.parametrize(
    ("frequency", "nanos"),
    [("1d", NANOS_PER_DAY), ("1min", NANOS_PER_MINUTE), ("5min", 5 * NANOS_PER_MINUTE)],
)
def test_frequency_ns(frequency: str, nanos: int) -> None:
    assert make(frequency=frequency).frequency_ns == nanos


@pytest.mark.parametrize("frequency", ["0min", "abc", "-1d", ""])
def test_bad_frequency_rejected(frequency: str) -> None:
    with pytest.raises(ValidationError, match="frequency"):
        make(frequency=frequency)


@pytest.mark.parametrize("field", ["timezone", "session_timezone"])
def test_unknown_zone_rejected(field: str) -> None:
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        make(**{field: "Mars/Olympus"})


@pytest.mark.parametrize(
    ("asset_class", "zone"), [("equity", "America/New_York"), ("crypto", "UTC"), ("fx", "UTC")]
)
def test_session_timezone_defaults_by_asset_class(asset_class: str, zone: str) -> None:
    cfg = make(asset_class=asset_class)
    assert cfg.session_timezone is None
    assert cfg.session_tz == zone


def test_explicit_session_timezone_wins() -> None:
    assert make(session_timezone="Europe/London").session_tz == "Europe/London"


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("a.csv", "csv"), ("a.CSV", "csv"), ("a.parquet", "parquet"), ("a.pq", "parquet")],
)
def test_format_inferred_from_suffix(path: str, fmt: str) -> None:
    cfg = make(path=path)
    assert cfg.format is None
    assert cfg.format_of(cfg.path) == fmt


def test_unknown_suffix_needs_format() -> None:
    with pytest.raises(ValidationError, match="set format"):
        make(path="bars.txt")
    assert make(path="bars.txt", format="csv").format_of(Path("bars.txt")) == "csv"


def test_unknown_quotes_suffix_rejected() -> None:
    with pytest.raises(ValidationError, match=r"quotes\.dat"):
        make(quotes_path="quotes.dat")


@pytest.mark.parametrize("field", ["tick_size", "lot_size"])
@pytest.mark.parametrize("value", [0.0, -0.01, float("nan"), float("inf")])
def test_increments_must_be_positive(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        make(**{field: value})


def test_extra_fields_forbidden_and_frozen() -> None:
    with pytest.raises(ValidationError, match="frequncy"):
        make(frequncy="1d")
    cfg = make()
    with pytest.raises(ValidationError):
        cfg.symbol = "QQQ"


def test_blank_symbol_rejected() -> None:
    with pytest.raises(ValidationError, match="symbol"):
        make(symbol="  ")


def test_literals_enforced() -> None:
    with pytest.raises(ValidationError, match="timestamps"):
        make(timestamps="bar_middle")
    with pytest.raises(ValidationError, match="asset_class"):
        make(asset_class="bond")
