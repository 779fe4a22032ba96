"""What the fast path needs from a run config: one symbol's arrays, its costs, and refusals.

The arrays come from the same functions the event engine uses (``engine.frames``: loading,
validation, the trailing sigma of slippage), so the fast path cannot read the data differently.
A config the fast path cannot reproduce exactly is refused with ``FastPathUnsupported`` naming
the field, never approximated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from quantrail.core.errors import ConfigError
from quantrail.data import merge_frames
from quantrail.engine.config import RunConfig
from quantrail.engine.frames import load_validated, trailing_sigma
from quantrail.engine.results import observed_periods_per_year
from quantrail.execution.config import ExecutionConfig
from quantrail.research.fast import _nb
from quantrail.risk import RiskConfig

__all__ = [
    "FAST_STRATEGIES",
    "FastPathUnsupported",
    "Market",
    "check_fast_support",
    "cost_vector",
    "inert_risk",
    "load_market",
    "unsupported_reason",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

FAST_STRATEGIES = ("sma_cross", "rsi_reversion", "zscore_reversion", "breakout")


class FastPathUnsupported(ConfigError):
    """The fast path cannot reproduce this configuration exactly; run the event engine."""


def unsupported_reason(config: RunConfig) -> tuple[str, str] | None:
    """Return ``(field path, why)`` when the fast path must refuse ``config``, else None.

    Checks what the config alone says; the data can still be refused by :func:`load_market`.
    """
    name = config.strategy.name
    if name not in FAST_STRATEGIES:
        known = ", ".join(FAST_STRATEGIES)
        return "strategy.name", f"the fast path has kernels for {known}, not {name!r}"
    if len(config.data) != 1:
        return "data", (
            f"the fast path simulates one symbol; {len(config.data)} symbols share one account "
            "and one equity, which the event engine models"
        )
    if config.data[0].actions_path is not None:
        return "data[0].actions_path", (
            "splits and dividends change positions and cancel orders, which the fast path does "
            "not model"
        )
    execution = config.execution
    if execution.max_volume_share is not None:
        return "execution.max_volume_share", (
            "a volume cap fills orders in part over several bars, which only the event engine "
            "models; set it to null to use the fast path"
        )
    if execution.latency_ns != 0:
        return "execution.latency", (
            "with latency an order can arrive inside a bar and fill at its close; the fast path "
            "fills with zero latency only"
        )
    active = _active_risk_setting(config.risk.model_dump(mode="json"), "risk")
    if active is not None:
        return active, (
            "risk limits and monitors run only in the event engine; disable it (null or false) "
            "to use the fast path"
        )
    return None


# Risk settings that cannot deny, cancel or resize an order of a built-in strategy: a warning,
# parameters of a switched-off rule, and a rule that the built-ins' single working order can
# never trip (they never hold a buy and a sell at once).
_INERT_RISK = frozenset(
    {
        "risk.protective_exits.warn_unprotected_positions",
        "risk.signal.deny_contradictory_intents",
        "risk.correlation.window",
        "risk.correlation.min_observations",
        "risk.kill_switch.flatten",
    }
)


def _active_risk_setting(node: object, path: str) -> str | None:
    """The first risk setting that is switched on, walking the config in field order.

    Fails closed: a setting added to the risk config later counts as active until it is
    listed in ``_INERT_RISK``, so the fast path never silently ignores a new limit.
    """
    if path in _INERT_RISK:
        return None
    if isinstance(node, dict):
        for key, value in node.items():
            found = _active_risk_setting(value, f"{path}.{key}")
            if found is not None:
                return found
        return None
    if node is None or node is False or node == [] or node == {}:
        return None
    return path


def inert_risk() -> dict[str, Any]:
    """A ``risk:`` section with every limit and monitor the fast path refuses switched off.

    Derived from ``RiskConfig``'s defaults (``None`` for a limit, ``false`` for a switch), so it
    follows the risk config as it grows. A run with it has no pre-trade protection: it is for
    research runs compared with the fast path, not for trading.
    """

    def off(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                child = off(value, f"{path}.{key}")
                if child is not _KEEP:
                    out[key] = child
            return out or _KEEP
        if _active_risk_setting(node, path) is None:
            return _KEEP
        return False if isinstance(node, bool) else None

    found = off(RiskConfig().model_dump(mode="json"), "risk")
    section: dict[str, Any] = {} if found is _KEEP else found
    RiskConfig.model_validate(section)  # a limit that cannot be switched off fails here
    return section


_KEEP = object()


def check_fast_support(config: RunConfig) -> None:
    """Raise :class:`FastPathUnsupported` naming the field the fast path cannot reproduce."""
    reason = unsupported_reason(config)
    if reason is not None:
        path, why = reason
        raise FastPathUnsupported(why, path=path)


@dataclass(frozen=True, eq=False)
class Market:
    """One symbol's bars and everything a fill needs, per bar.

    Attributes
    ----------
    symbol, strategy_id : str
        The traded symbol and the prefix of client order ids.
    ts, ts_open, session : ndarray of int64
        As in the merged stream (UTC ns; ``ts`` is when the bar became known).
    open, high, low, close, volume : ndarray of float64
        The bars.
    ref : ndarray of float64
        A market fill's reference price on each bar: its open (``fill: next_open``) or close.
    sigma : ndarray of float64
        The slippage volatility of a fill on each bar (``engine.frames.trailing_sigma``).
    half_spread : ndarray of float64
        The half spread a fill on each bar pays: the last valid quote before the bar, else
        ``spread_bps / 20000``.
    fill_at_close : bool
        ``fill: next_close``.
    periods_per_year : float
        The annualisation the event engine uses for this data.
    cost : ndarray of float64
        The cost vector (:func:`cost_vector`).
    """

    symbol: str
    strategy_id: str
    ts: IntArray
    ts_open: IntArray
    session: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    ref: FloatArray
    sigma: FloatArray
    half_spread: FloatArray
    fill_at_close: bool
    periods_per_year: float
    cost: FloatArray

    def __len__(self) -> int:
        return len(self.close)

    @property
    def cash(self) -> float:
        """Starting cash."""
        return float(self.cost[_nb.C_CASH])


def cost_vector(execution: ExecutionConfig, tick_size: float, lot_size: float) -> FloatArray:
    """Pack the cost settings into the float vector the kernels read (layout in ``_nb``)."""
    out = np.zeros(_nb.COST_SIZE)
    slip = execution.slippage
    fees = execution.commission
    out[_nb.C_FIXED_BPS] = slip.fixed_bps
    out[_nb.C_VOL] = slip.volatility_factor
    out[_nb.C_IMPACT] = slip.impact_factor
    out[_nb.C_TICK] = tick_size
    out[_nb.C_LOT] = lot_size
    out[_nb.C_PER_SHARE] = fees.per_share
    out[_nb.C_MIN] = fees.minimum
    out[_nb.C_MAX] = 0.0 if fees.maximum is None else fees.maximum
    out[_nb.C_HAS_MAX] = 0.0 if fees.maximum is None else 1.0
    out[_nb.C_PERCENT] = fees.percent
    out[_nb.C_FIXED_FEE] = fees.fixed
    out[_nb.C_CASH] = execution.cash
    return out


def _half_spreads(bid: FloatArray, ask: FloatArray, default: float) -> FloatArray:
    """The half spread in effect when each bar is matched (``FillSimulator.observe_quote``).

    The simulator remembers a quote after matching its bar, so bar t pays the spread of the
    last valid quote at a bar before t.
    """
    n = len(bid)
    out = np.full(n, default)
    if not np.isfinite(bid).any():
        return out
    with np.errstate(invalid="ignore"):
        valid = (bid > 0) & (ask >= bid) & np.isfinite(bid) & np.isfinite(ask)
    rows = np.flatnonzero(valid)
    if not len(rows):
        return out
    spread = (ask[rows] - bid[rows]) / (ask[rows] + bid[rows])
    # For bar t the latest valid row < t: searchsorted on the rows gives how many precede t.
    before = np.searchsorted(rows, np.arange(n), side="left") - 1
    has = before >= 0
    out[has] = spread[before[has]]
    return out


def load_market(config: RunConfig, base_dir: Path | None = None) -> Market:
    """Load, validate and prepare the config's single symbol for the fast path.

    Raises
    ------
    FastPathUnsupported
        The config (see :func:`unsupported_reason`) or the data cannot be reproduced exactly:
        a bar that opens before the previous bar closed would let a zero-latency order arrive
        inside it, which the event engine fills at that bar's close.
    """
    check_fast_support(config)
    frames, _ = load_validated(config.data, base_dir)
    stream = merge_frames(frames)
    data = config.data[0]
    execution = config.execution
    sigma = trailing_sigma(frames, stream, execution.slippage.volatility_window)
    overlap = np.flatnonzero(stream.ts_open[1:] < stream.ts[:-1])
    if len(overlap):
        raise FastPathUnsupported(
            f"bar {int(overlap[0]) + 1} opens before the previous bar is known, so an order "
            "would arrive inside it; only the event engine fills such orders",
            path="data[0]",
        )
    fill_at_close = execution.fill == "next_close"
    close = np.ascontiguousarray(stream.close, dtype=np.float64)
    return Market(
        symbol=data.symbol,
        strategy_id=config.strategy.id,
        ts=np.ascontiguousarray(stream.ts),
        ts_open=np.ascontiguousarray(stream.ts_open),
        session=np.ascontiguousarray(stream.session),
        open=np.ascontiguousarray(stream.open, dtype=np.float64),
        high=np.ascontiguousarray(stream.high, dtype=np.float64),
        low=np.ascontiguousarray(stream.low, dtype=np.float64),
        close=close,
        volume=np.ascontiguousarray(stream.volume, dtype=np.float64),
        ref=close if fill_at_close else np.ascontiguousarray(stream.open, dtype=np.float64),
        sigma=np.ascontiguousarray(sigma, dtype=np.float64),
        half_spread=_half_spreads(stream.bid, stream.ask, execution.spread_bps / 20_000.0),
        fill_at_close=fill_at_close,
        periods_per_year=observed_periods_per_year(
            frames[0].frequency_ns, [data.asset_class], stream.session
        ),
        cost=cost_vector(execution, data.tick_size, data.lot_size),
    )
