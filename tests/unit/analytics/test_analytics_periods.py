import pytest

from quantrail.analytics import periods_per_year
from quantrail.core.time import parse_duration


@pytest.mark.parametrize(
    ("frequency", "asset_class", "expected"),
    [
        ("1d", "equity", 252.0),
        ("1min", "equity", 252.0 * 390.0),
        ("1h", "equity", 252.0 * 6.5),
        ("5min", "equity", 252.0 * 78.0),
        ("1d", "crypto", 365.0),
        ("1min", "crypto", 525_600.0),
        ("1h", "crypto", 8_760.0),
        ("1d", "fx", 260.0),
        ("1h", "fx", 260.0 * 24.0),
        ("2d", "crypto", 182.5),
        # A week is calendar time for every market.
        ("1w", "equity", 365.25 / 7.0),
        ("1w", "crypto", 365.25 / 7.0),
    ],
)
def test_conventions(frequency: str, asset_class: str, expected: float) -> None:
    assert periods_per_year(parse_duration(frequency), asset_class) == pytest.approx(expected)


def test_asset_class_is_case_insensitive_with_aliases() -> None:
    day = parse_duration("1d")
    assert periods_per_year(day, "Equities") == 252.0
    assert periods_per_year(day, "FOREX") == 260.0


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_rejects_non_positive_or_non_integer_frequency(bad: object) -> None:
    with pytest.raises(ValueError, match="frequency_ns"):
        periods_per_year(bad, "equity")  # type: ignore[arg-type]


def test_rejects_unknown_asset_class() -> None:
    with pytest.raises(ValueError, match="unknown asset_class 'bonds'"):
        periods_per_year(parse_duration("1d"), "bonds")
