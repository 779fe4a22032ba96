"""Argument validation shared by the incremental indicators and their vectorized twins."""

from __future__ import annotations

import math
import operator

__all__ = ["check_period", "check_positive"]


def check_period(owner: str, name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` or raise ``ValueError`` naming ``owner`` and ``name``.

    Parameters
    ----------
    owner : str
        Indicator or function name used as the message prefix.
    name : str
        Parameter name, e.g. ``"period"``.
    value : object
        The value passed by the caller. Integers (including NumPy integers) are accepted;
        ``bool`` and floats are not, because ``period=2.5`` or ``period=True`` is a bug.
    minimum : int, default 1
        Smallest valid value.

    Returns
    -------
    int
        The validated period.
    """
    message = f"{owner}: {name} must be an integer >= {minimum}, got {value!r}"
    if isinstance(value, bool):
        raise ValueError(message)
    try:
        period = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(message) from None
    if period < minimum:
        raise ValueError(message)
    return period


def check_positive(owner: str, name: str, value: object) -> float:
    """Return ``value`` as a finite ``float`` > 0 or raise ``ValueError``.

    Parameters
    ----------
    owner : str
        Indicator or function name used as the message prefix.
    name : str
        Parameter name, e.g. ``"k"``.
    value : object
        The value passed by the caller.

    Returns
    -------
    float
        The validated value.
    """
    message = f"{owner}: {name} must be a finite number > 0, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(message)
    result = float(value)
    if not (math.isfinite(result) and result > 0.0):
        raise ValueError(message)
    return result
