"""Parameter axes from the command line: ``fast=5:50:5``, ``entry_z=1.5,2,2.5``, ``short=true``.

Syntax of one axis, ``NAME=VALUES``:

- ``START:STOP:STEP`` - every value from START to STOP inclusive, STEP apart. Integers when all
  three are integers, else decimals computed exactly in base 10 (``0.1:0.3:0.1`` gives 0.1,
  0.2, 0.3, not 0.30000000000000004). ``START:STOP`` steps by 1.
- ``A,B,C`` - these values (numbers, ``true``/``false``, ``null`` or text).
- ``V`` - one value.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from quantrail.core.errors import ConfigError

__all__ = ["Axis", "GridSpecError", "grid_points", "grid_size", "parse_axis", "parse_grid"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_POINTS = 10_000_000


class GridSpecError(ConfigError):
    """A ``--grid`` axis cannot be parsed; the message quotes it and says what is wrong."""


@dataclass(frozen=True)
class Axis:
    """One parameter's values.

    Attributes
    ----------
    name : str
        The strategy parameter.
    values : tuple
        Every value of the axis, in order.
    kind : {"int", "float", "categorical"}
        ``int``/``float`` for a ``START:STOP:STEP`` range (searchable as a stepped number),
        ``categorical`` for a list.
    low, high, step : float or None
        The range, for ``int``/``float`` axes.
    """

    name: str
    values: tuple[Any, ...]
    kind: Literal["int", "float", "categorical"]
    low: float | None = None
    high: float | None = None
    step: float | None = None


def _scalar(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "none"):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _decimal(spec: str, part: str, what: str) -> Decimal:
    try:
        value = Decimal(part)
    except InvalidOperation:
        raise GridSpecError(f"grid {spec!r}: {what} {part!r} is not a number") from None
    if not value.is_finite():
        raise GridSpecError(f"grid {spec!r}: {what} {part!r} is not a finite number")
    return value


def _range(spec: str, name: str, parts: list[str]) -> Axis:
    if len(parts) not in (2, 3) or any(not p.strip() for p in parts):
        raise GridSpecError(
            f"grid {spec!r}: a range is START:STOP or START:STOP:STEP, e.g. {name}=5:50:5"
        )
    start = _decimal(spec, parts[0].strip(), "start")
    stop = _decimal(spec, parts[1].strip(), "stop")
    step = _decimal(spec, parts[2].strip(), "step") if len(parts) == 3 else Decimal(1)
    if step <= 0:
        raise GridSpecError(f"grid {spec!r}: step must be > 0, got {step}")
    if stop < start:
        raise GridSpecError(f"grid {spec!r}: stop {stop} is below start {start}")
    count = int((stop - start) // step) + 1
    if count > _MAX_POINTS:
        raise GridSpecError(f"grid {spec!r}: {count:,} values is more than {_MAX_POINTS:,}")
    integral = all(d == d.to_integral_value() and "." not in str(d) for d in (start, step))
    values = [start + i * step for i in range(count)]
    if integral:
        return Axis(name, tuple(int(v) for v in values), "int", int(start), int(values[-1]),
                    int(step))  # fmt: skip
    floats = tuple(float(v) for v in values)
    return Axis(name, floats, "float", floats[0], floats[-1], float(step))


def parse_axis(spec: str) -> Axis:
    """Parse one ``NAME=VALUES`` axis.

    Raises
    ------
    GridSpecError
        The text quoted, with what is wrong: no ``=``, a bad name, an empty value, a range that
        is not ``START:STOP[:STEP]`` of numbers, a step <= 0, a stop below the start.
    """
    name, sep, values = spec.partition("=")
    name = name.strip()
    if not sep:
        raise GridSpecError(f"grid {spec!r}: expected NAME=VALUES, e.g. fast=5:50:5 or fast=5,10")
    if not _NAME.match(name):
        raise GridSpecError(f"grid {spec!r}: {name!r} is not a parameter name")
    values = values.strip()
    if not values:
        raise GridSpecError(f"grid {spec!r}: no values after '='")
    if ":" in values:
        return _range(spec, name, values.split(":"))
    items = [v.strip() for v in values.split(",")]
    if any(not v for v in items):
        raise GridSpecError(f"grid {spec!r}: empty value in the list")
    parsed = tuple(_scalar(v) for v in items)
    if len(set(map(repr, parsed))) != len(parsed):
        raise GridSpecError(f"grid {spec!r}: a value is listed twice")
    return Axis(name, parsed, "categorical")


def parse_grid(specs: Sequence[str]) -> list[Axis]:
    """Parse every axis; a parameter may appear once."""
    axes = [parse_axis(s) for s in specs]
    seen: set[str] = set()
    for axis in axes:
        if axis.name in seen:
            raise GridSpecError(f"grid: parameter {axis.name!r} is given twice")
        seen.add(axis.name)
    return axes


def grid_size(axes: Sequence[Axis]) -> int:
    """Number of points of the full grid."""
    return math.prod(len(a.values) for a in axes)


def grid_points(axes: Sequence[Axis]) -> Iterator[dict[str, Any]]:
    """Every combination, the first axis varying slowest (trial numbers follow this order)."""
    names = [a.name for a in axes]
    for combo in itertools.product(*(a.values for a in axes)):
        yield dict(zip(names, combo, strict=True))
