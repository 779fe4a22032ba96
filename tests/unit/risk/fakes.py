"""A RiskView over a real Portfolio, with the market facts each test sets."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from quantrail.core import Bar, Fill, Order, OrderIntent, Side
from quantrail.portfolio import Portfolio

DAY = 86_400 * 10**9
SECOND = 10**9

_seq = iter(range(1, 10**9))


def order(
    side: Side,
    quantity: float,
    symbol: str = "X",
    strategy: str = "S",
    **intent: Any,
) -> Order:
    """A fresh order with a unique id (``intent`` as OrderIntent keyword arguments)."""
    seq = next(_seq)
    return Order(
        f"{strategy}-{seq}", seq, OrderIntent(symbol, side, quantity, **intent), strategy, 0
    )


def book(
    cash: float = 100_000.0, prices: dict[str, float] | None = None, **positions: float
) -> Portfolio:
    """A portfolio holding ``positions`` bought at their price, priced at ``prices`` (100)."""
    prices = dict(prices or {})
    portfolio = Portfolio(cash)
    for symbol, quantity in positions.items():
        price = prices.setdefault(symbol, 100.0)
        side = Side.BUY if quantity > 0 else Side.SELL
        portfolio.apply_fill(
            Fill("F", "O", symbol, side, abs(quantity), price, price, 0, 0, 0, 0, "taker", "t")
        )
    for symbol, price in prices.items():
        portfolio.last_prices[symbol] = price
        portfolio.last_price_times[symbol] = 0
    portfolio.last_prices.setdefault("X", 100.0)
    portfolio.last_price_times.setdefault("X", 0)
    return portfolio


def bar(symbol: str = "X", ts: int = 0, close: float = 100.0, session: int = 1, **kw: float) -> Bar:
    volume = kw.pop("volume", 1e6)
    return Bar(
        symbol, ts, ts - 60 * SECOND, close, close, close, close, volume, session=session, **kw
    )


class FakeView:
    """RiskView: every market fact is a plain attribute a test can set."""

    def __init__(self, portfolio: Portfolio | None = None, now: int = 0) -> None:
        self._portfolio = portfolio if portfolio is not None else book()
        self.now = now
        self.working: list[Order] = []
        self.bars: dict[str, Bar] = {}
        self.market_open: bool | None = None
        self.symbol_tags: dict[str, dict[str, str]] = {}
        self.symbol_returns: dict[str, npt.NDArray[np.float64]] = {}

    @property
    def portfolio(self) -> Portfolio:
        return self._portfolio

    def now_ns(self) -> int:
        return self.now

    def working_orders(self, symbol: str | None = None) -> list[Order]:
        return [o for o in self.working if symbol is None or o.symbol == symbol]

    def last_bar(self, symbol: str) -> Bar | None:
        return self.bars.get(symbol)

    def is_market_open(self, symbol: str, ts_ns: int) -> bool | None:
        return self.market_open

    def tags(self, symbol: str) -> dict[str, str]:
        return self.symbol_tags.get(symbol, {})

    def returns(self, symbol: str, window: int) -> npt.NDArray[np.float64]:
        return self.symbol_returns.get(symbol, np.empty(0))[-window:]

    def aligned_returns(
        self, first: str, second: str, window: int
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        # The fake's series are already on one time grid: align their tails.
        a, b = self.returns(first, window), self.returns(second, window)
        n = min(len(a), len(b))
        return a[len(a) - n :], b[len(b) - n :]


def fill(symbol: str, side: Side, quantity: float, price: float, ts: int = 0) -> Fill:
    return Fill("F", "O", symbol, side, quantity, price, price, 0, 0, 0, ts, "taker", "t")


def bare(**limits: Any) -> Any:
    """A RiskConfig with only ``limits`` switched on (position pct, daily loss, drawdown off)."""
    from quantrail.risk import RiskConfig

    base: dict[str, Any] = {
        "max_position_pct": None,
        "daily_loss": {"max_loss_pct": None},
        "drawdown": {"max_drawdown": None},
        "protective_exits": {"warn_unprotected_positions": False},
    }
    return RiskConfig.model_validate({**base, **limits})
