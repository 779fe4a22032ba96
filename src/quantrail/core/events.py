"""Events the venue and the engine publish. Immutable and stamped in UTC nanoseconds."""

from __future__ import annotations

from dataclasses import dataclass

from quantrail.core.enums import OrderStatus, Side
from quantrail.core.order_state import OrderEventKind

__all__ = ["CorporateAction", "Fill", "OrderUpdate"]


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution, with the assumptions that priced it.

    ``reference_price`` is the market price the model started from (the open, the stop or limit
    price, or the quote); ``price`` is what was paid after half the spread and slippage.
    ``spread_cost`` and ``slippage_cost`` are in account currency and are already inside
    ``price``; ``commission`` is charged on top of it.
    """

    fill_id: str
    client_order_id: str
    symbol: str
    side: Side
    quantity: float
    price: float
    reference_price: float
    commission: float
    spread_cost: float
    slippage_cost: float
    ts: int
    liquidity: str  # "taker" for marketable fills, "maker" for resting limit fills
    price_rule: str  # which rule chose the reference price, e.g. "next_open", "stop_gap_open"

    @property
    def signed_quantity(self) -> float:
        return self.quantity * int(self.side)

    @property
    def notional(self) -> float:
        return self.quantity * self.price


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """A change in an order's status, other than a fill, as the strategy sees it."""

    client_order_id: str
    kind: OrderEventKind
    status: OrderStatus
    ts: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CorporateAction:
    """A split or cash dividend that takes effect at ``ex_ns`` (the ex-date's session start).

    ``value`` is new shares per old share for a split (7 = 7-for-1, 0.05 = 1-for-20) and cash
    per share for a dividend. ``available_at_ns`` is when the action became known; the engine
    never applies an action before both moments have passed.
    """

    symbol: str
    kind: str  # "split" or "dividend"
    value: float
    ex_ns: int
    available_at_ns: int

    def __post_init__(self) -> None:
        if self.kind not in ("split", "dividend"):
            raise ValueError(f"corporate action kind must be split or dividend, was {self.kind!r}")
        if not (self.value > 0 and self.value < float("inf")):
            raise ValueError(
                f"{self.kind} of {self.symbol} needs a positive value, was {self.value}"
            )
