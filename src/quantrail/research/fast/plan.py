"""The contract between a strategy's kernel module and the batch driver."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Plan", "indicator_table"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Plan:
    """How to run one strategy's kernel over a batch of parameter sets.

    The driver calls ``kernel(*shared, *(a[idx] for a in per_combo), cost, fills_f, fills_i,
    count, status, account)`` for the parameter sets ``idx``.

    Attributes
    ----------
    kernel : callable
        The strategy's ``*_nb`` kernel (parallel over parameter sets).
    shared : tuple
        Market arrays and indicator tables, the same for every parameter set.
    per_combo : tuple of ndarray
        One entry per parameter set along axis 0 (indices into the tables, thresholds, ...).
    reasons : tuple of str
        ``order_reason`` of each fill code the kernel writes, as the event engine records it.
    """

    kernel: Callable[..., None]
    shared: tuple[Any, ...]
    per_combo: tuple[npt.NDArray[Any], ...]
    reasons: tuple[str, ...]


def indicator_table(
    keys: Sequence[Any], compute: Callable[[Any], FloatArray]
) -> tuple[FloatArray, IntArray]:
    """Compute an indicator once per distinct key; return the rows and each set's row index.

    A 10 x 10 grid of two moving averages needs 20 averages, not 200.
    """
    distinct = sorted(set(keys))
    position = {key: i for i, key in enumerate(distinct)}
    table = np.ascontiguousarray(np.stack([compute(key) for key in distinct]))
    return table, np.array([position[key] for key in keys], dtype=np.int64)
