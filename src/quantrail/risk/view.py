"""What the risk engine reads from the engine it runs in. The engine implements it."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from quantrail.core.bar import Bar
from quantrail.core.orders import Order
from quantrail.core.ports import PortfolioView

__all__ = ["RiskView"]


class RiskView(Protocol):
    """Read-only access to the portfolio, the orders and the market, for rules and monitors.

    Every method may raise; the risk engine then fails closed (denies the order, or enters
    REDUCE_ONLY when a monitor cannot evaluate).
    """

    @property
    def portfolio(self) -> PortfolioView: ...

    def now_ns(self) -> int:
        """The engine clock, UTC ns (rules never read the wall clock)."""
        ...

    def working_orders(self, symbol: str | None = None) -> list[Order]:
        """Orders sent and not finished, optionally of one symbol."""
        ...

    def last_bar(self, symbol: str) -> Bar | None:
        """The symbol's most recent bar, None before the first."""
        ...

    def is_market_open(self, symbol: str, ts_ns: int) -> bool | None:
        """Whether the symbol's market is in a session at ``ts_ns``; None when unknown."""
        ...

    def tags(self, symbol: str) -> dict[str, str]:
        """Grouping labels, e.g. ``{"sector": "tech", "asset_class": "equity"}``."""
        ...

    def returns(self, symbol: str, window: int) -> npt.NDArray[np.float64]:
        """Up to ``window`` most recent close-to-close returns, oldest first."""
        ...

    def aligned_returns(
        self, first: str, second: str, window: int
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Returns of two symbols over the last ``window`` timestamps both have, point by point."""
        ...
