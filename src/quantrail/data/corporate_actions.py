"""Splits and cash dividends: loading them, and adjusting prices *as of* a moment.

An adjusted series is a function of the moment it is computed at. Vendors ship one series
adjusted as of the day they built it, so a backtest reading it on day D sees prices divided by
splits that were announced after D: look-ahead. Here the raw bars stay as loaded, and
:func:`adjusted` rebuilds the series from the actions known at ``as_of_ns`` only.

Backward adjustment, for each action known at ``as_of``, applied to every bar that started
before its ex-date (``ts_open < ex_ns``):

* split of ``r`` new shares per old share: prices / r, volume * r;
* cash dividend ``d``: prices * (1 - d / c), where ``c`` is the close of the last bar before the
  ex-date (divided by a split with the same ex-date, since such a dividend is per new share).
  Volume is unchanged.

Factors multiply, so a bar's factor is the product over the actions with an ex-date after it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quantrail.core.errors import DataError
from quantrail.core.events import CorporateAction
from quantrail.data._read import map_columns, parse_numbers, parse_timestamps, read_table
from quantrail.data.config import FileFormat
from quantrail.data.frame import BarFrame, FloatArray, iso_utc

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_TYPES",
    "CorporateActions",
    "adjusted",
    "adjustment_factors",
    "load_actions",
]

ACTION_COLUMNS = ("timestamp", "type", "value")
"""Columns an actions file must have (matched case-insensitively)."""
ACTION_TYPES = ("split", "dividend")


@dataclass(frozen=True)
class CorporateActions:
    """One symbol's splits and dividends, ordered by ex-date.

    Attributes
    ----------
    symbol : str
        The symbol the actions belong to ("" when loaded without one).
    source : str
        The actions file, as given (used in error messages).
    actions : tuple of CorporateAction
        Ordered by ``ex_ns`` (file order among equal ex-dates).
    rows : tuple of int
        The file line of each action (header = line 1).
    """

    symbol: str
    source: str
    actions: tuple[CorporateAction, ...]
    rows: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.actions)

    def __iter__(self) -> Iterator[CorporateAction]:
        return iter(self.actions)

    @property
    def events(self) -> tuple[CorporateAction, ...]:
        """The actions as engine events: a backtest applies splits to positions and pays
        dividends at the first bar with ``ts_open >= max(ex_ns, available_at_ns)``.

        Raises
        ------
        ValueError
            When the actions carry no symbol (load them with ``symbol=``).
        """
        if not self.symbol:
            raise ValueError(f"{self.source}: actions have no symbol; use load_actions(symbol=)")
        return self.actions

    def known_at(self, as_of_ns: int) -> tuple[CorporateAction, ...]:
        """Actions both effective (ex-date passed) and known (available) at ``as_of_ns``."""
        return tuple(
            a for a in self.actions if a.ex_ns <= as_of_ns and a.available_at_ns <= as_of_ns
        )

    def with_symbol(self, symbol: str) -> CorporateActions:
        """The same actions, stamped with ``symbol``."""
        actions = tuple(dataclasses.replace(a, symbol=symbol) for a in self.actions)
        return CorporateActions(symbol, self.source, actions, self.rows)


def load_actions(
    path: Path | str, symbol: str = "", *, timezone: str | None = None
) -> CorporateActions:
    """Read a corporate actions file (``timestamp, type, value``; CSV or Parquet by suffix).

    ``timestamp`` is the ex-date (the bundled files: local midnight with a UTC offset), and
    becomes ``ex_ns``. ``type`` is ``split`` (``value`` = new shares per old share: 7 for
    7-for-1, 0.05 for 1-for-20) or ``dividend`` (``value`` = cash per share). The file has no
    announcement date, so ``available_at_ns = ex_ns``: the action is treated as unknown until
    its ex-date. That is conservative: real announcements come earlier, so a strategy may learn
    of an action later than it could have, never sooner.

    Parameters
    ----------
    path : Path or str
        The file.
    symbol : str
        Symbol stamped on every action (needed for engine events).
    timezone : str, optional
        Zone for timestamps written without a UTC offset.

    Raises
    ------
    DataError
        Naming the file, line and rule: ``action_type`` (not split/dividend), ``action_value``
        (not a finite number > 0, or a split of 1), ``duplicate_action`` (two actions of one
        type on one ex-date; sum dividends paid together), or a load error.
    """
    path = Path(path)
    source = str(path)
    fmt: FileFormat = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    if fmt == "csv" and path.is_file() and len(path.read_bytes().strip().splitlines()) == 1:
        return CorporateActions(symbol, source, (), ())  # a header and no actions
    table, rows = read_table(path, fmt, source)
    columns = map_columns(table, ACTION_COLUMNS, (), source)
    ex = parse_timestamps(table[columns["timestamp"]], columns["timestamp"], rows, source, timezone)
    values = parse_numbers(table[columns["value"]], columns["value"], rows, source)
    kinds = table[columns["type"]].astype("str").str.strip().str.lower().to_numpy()

    def fail(i: int, rule: str, message: str) -> DataError:
        return DataError(message, source=source, row=int(rows[i]), rule=rule)

    seen: dict[tuple[int, str], int] = {}
    for i, (kind, value) in enumerate(zip(kinds.tolist(), values.tolist(), strict=True)):
        if kind not in ACTION_TYPES:
            raise fail(i, "action_type", f"type {kind!r} is not one of split, dividend")
        if not (np.isfinite(value) and value > 0):
            raise fail(i, "action_value", f"{kind} value must be a finite number > 0, got {value}")
        if kind == "split" and value == 1:
            raise fail(i, "action_value", "a split of 1 new share per old share changes nothing")
        first = seen.setdefault((int(ex[i]), kind), i)
        if first != i:
            raise fail(
                i,
                "duplicate_action",
                f"second {kind} on ex-date {iso_utc(int(ex[i]))} (first: line {int(rows[first])})",
            )
    order = np.argsort(ex, kind="stable")
    actions = tuple(
        CorporateAction(symbol, str(kinds[i]), float(values[i]), int(ex[i]), int(ex[i]))
        for i in order
    )
    return CorporateActions(symbol, source, actions, tuple(int(rows[i]) for i in order))


def adjustment_factors(
    frame: BarFrame, actions: CorporateActions, as_of_ns: int | None = None
) -> tuple[FloatArray, FloatArray]:
    """Backward-adjustment factors for each bar, using only the actions known at ``as_of_ns``.

    Parameters
    ----------
    frame : BarFrame
        Raw (unadjusted) bars.
    actions : CorporateActions
        The symbol's actions.
    as_of_ns : int, optional
        The moment (UTC ns) the adjustment is computed at; default: the last bar's ``ts``.
        Only actions with ``ex_ns <= as_of_ns`` and ``available_at_ns <= as_of_ns`` count, so
        a split announced after day D never changes the prices seen on day D.

    Returns
    -------
    price_factor, volume_factor : ndarray of float64
        Multiply OHLC (and bid/ask) by ``price_factor`` and volume by ``volume_factor``; both
        are 1 for bars on or after the last applied ex-date.

    Raises
    ------
    DataError
        A dividend is not below the previous close (the factor would be <= 0), or the previous
        close is not a positive finite price.
    """
    if actions.symbol and actions.symbol != frame.symbol:
        raise ValueError(f"actions of {actions.symbol} applied to bars of {frame.symbol}")
    n = len(frame)
    if as_of_ns is None:
        as_of_ns = int(frame.ts.max()) if n else 0
    known = actions.known_at(as_of_ns)
    if n == 0 or not known:
        return np.ones(n), np.ones(n)
    ex = np.array([a.ex_ns for a in known], dtype=np.int64)
    price_step = np.ones(len(known))
    volume_step = np.ones(len(known))
    order = np.argsort(frame.ts_open, kind="stable")
    sorted_open = frame.ts_open[order]
    for k, action in enumerate(known):
        if action.kind == "split":
            price_step[k], volume_step[k] = 1.0 / action.value, action.value
            continue
        before = int(np.searchsorted(sorted_open, action.ex_ns, side="left"))
        if before == 0:
            continue  # no bar before the ex-date: nothing to adjust
        prev = int(order[before - 1])
        same_day_split = np.prod(
            [a.value for a in known if a.kind == "split" and a.ex_ns == action.ex_ns]
        )
        reference = float(frame.close[prev]) / float(same_day_split)
        step = 1.0 - action.value / reference
        if not (np.isfinite(step) and step > 0):
            raise DataError(
                f"dividend {action.value:g} on {iso_utc(action.ex_ns)} is not below the "
                f"previous close {frame.close[prev]:g} (line {int(frame.row_numbers[prev])} of "
                f"{frame.source})",
                source=actions.source,
                row=_row_of(actions, action),
                rule="dividend_exceeds_price",
            )
        price_step[k] = step
    # suffix[k] = product of the steps of actions k.. ; a bar before ex[k] gets suffix[k].
    suffix_price = np.append(np.cumprod(price_step[::-1])[::-1], 1.0)
    suffix_volume = np.append(np.cumprod(volume_step[::-1])[::-1], 1.0)
    first_after = np.searchsorted(ex, frame.ts_open, side="right")
    return suffix_price[first_after], suffix_volume[first_after]


def _row_of(actions: CorporateActions, action: CorporateAction) -> int:
    return actions.rows[actions.actions.index(action)]


def adjusted(frame: BarFrame, actions: CorporateActions, as_of_ns: int | None = None) -> BarFrame:
    """A new frame with prices and volumes adjusted as of ``as_of_ns`` (default: the last bar).

    The input frame is not changed. ``source`` gains ``[adjusted as of ...]``; row numbers still
    point into the raw file. See :func:`adjustment_factors`.
    """
    if as_of_ns is None:
        as_of_ns = int(frame.ts.max()) if len(frame) else 0
    price, volume = adjustment_factors(frame, actions, as_of_ns)
    return dataclasses.replace(
        frame,
        source=f"{frame.source} [adjusted as of {iso_utc(as_of_ns)}]",
        open=frame.open * price,
        high=frame.high * price,
        low=frame.low * price,
        close=frame.close * price,
        bid=frame.bid * price,
        ask=frame.ask * price,
        volume=frame.volume * volume,
    )
