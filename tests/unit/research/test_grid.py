"""Grid axes: ranges, lists, single values, and errors that quote the text and the problem."""

from __future__ import annotations

import pytest

from quantrail.core.errors import ConfigError
from quantrail.research import GridSpecError, grid_points, parse_axis, parse_grid


def test_integer_range_is_inclusive() -> None:
    axis = parse_axis("fast=5:50:5")
    assert axis.values == (5, 10, 15, 20, 25, 30, 35, 40, 45, 50)
    assert (axis.kind, axis.low, axis.high, axis.step) == ("int", 5, 50, 5)
    assert parse_axis("slow=60:240:20").values == tuple(range(60, 241, 20))


def test_range_without_step_steps_by_one_and_stops_on_the_grid() -> None:
    assert parse_axis("n=3:6").values == (3, 4, 5, 6)
    assert parse_axis("n=0:10:4").values == (0, 4, 8)


def test_decimal_range_has_exact_decimals() -> None:
    axis = parse_axis("entry_z=0.1:0.3:0.1")
    assert axis.values == (0.1, 0.2, 0.3)
    assert axis.kind == "float"
    assert parse_axis("x=1.0:2:0.5").values == (1.0, 1.5, 2.0)


def test_lists_and_single_values_are_typed() -> None:
    assert parse_axis("allow_short=true,false").values == (True, False)
    assert parse_axis("quantity=100").values == (100,)
    assert parse_axis("q=1, 2.5 ,null").values == (1, 2.5, None)
    assert parse_axis("q=1,2").kind == "categorical"


def test_points_vary_the_first_axis_slowest() -> None:
    points = list(grid_points(parse_grid(["a=1,2", "b=x,y,z"])))
    assert len(points) == 6
    assert points[:3] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"}]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("fast", "expected NAME=VALUES"),
        ("fast=", "no values after '='"),
        ("=5:10", "is not a parameter name"),
        ("1fast=5", "is not a parameter name"),
        ("fast=5:50:0", "step must be > 0"),
        ("fast=5:50:-5", "step must be > 0"),
        ("fast=50:5:5", "stop 5 is below start 50"),
        ("fast=a:10:1", "start 'a' is not a number"),
        ("fast=1:b", "stop 'b' is not a number"),
        ("fast=1:10:2:3", "a range is START:STOP or START:STOP:STEP"),
        ("fast=1::2", "a range is START:STOP or START:STOP:STEP"),
        ("fast=1:inf:1", "not a finite number"),
        ("fast=1,,2", "empty value in the list"),
        ("fast=1,2,1", "listed twice"),
        ("fast=0:1e9:1e-3", "is more than"),
    ],
)
def test_bad_axes_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(GridSpecError, match="grid") as info:
        parse_axis(spec)
    assert message in str(info.value)
    assert repr(spec) in str(info.value)
    assert isinstance(info.value, ConfigError)  # the CLI exits 2 on it, like a config error


def test_a_parameter_may_appear_once() -> None:
    with pytest.raises(GridSpecError, match="'fast' is given twice"):
        parse_grid(["fast=5", "fast=10"])
