"""Portfolio level: drawdown breaker, concentration by tag, correlation guard."""

from __future__ import annotations

import numpy as np

from quantrail.core import Side
from quantrail.risk import RiskAction, RiskEngine, RiskMode
from tests.unit.risk.fakes import FakeView, bar, bare, book, order

BREAKER = [RiskAction.CANCEL_ALL, RiskAction.FLATTEN_ALL, RiskAction.HALT]


def test_drawdown_at_the_limit_passes_beyond_it_cancels_flattens_and_halts() -> None:
    risk = RiskEngine(bare(drawdown={"max_drawdown": 0.15}))
    view = FakeView(book(X=1000))
    risk.on_bar(bar(session=1), view)
    view.portfolio.last_prices["X"] = 120.0  # peak 120,000
    risk.on_bar(bar(session=2), view)
    view.portfolio.last_prices["X"] = 102.0  # exactly 15 % below the peak
    assert risk.on_bar(bar(session=3), view) == []
    view.portfolio.last_prices["X"] = 101.99
    assert risk.on_bar(bar(session=3), view) == BREAKER
    assert risk.mode is RiskMode.HALTED
    assert risk.on_bar(bar(session=4), view) == []  # latched, not fired again
    assert risk.mode is RiskMode.HALTED  # a new session does not clear it
    denial = risk.check(order(Side.SELL, 10), view)
    assert denial is not None
    assert denial.rule == "halted"
    flatten = order(Side.SELL, 1000, state={"risk_flatten": True})
    assert risk.check(flatten, view) is None
    event = next(e for e in risk.events() if e.rule == "drawdown")
    assert event.severity == "halt"
    assert event.values["peak"] == 120_000.0
    assert risk.stats()["drawdown"] == 1


def test_resume_restarts_the_drawdown_peak() -> None:
    risk = RiskEngine(bare(drawdown={"max_drawdown": 0.15}))
    view = FakeView(book(X=1000))
    risk.on_bar(bar(), view)
    view.portfolio.last_prices["X"] = 80.0
    assert risk.on_bar(bar(), view) == BREAKER
    risk.resume("ops", confirm=True)
    assert risk.on_bar(bar(), view) == []
    assert risk.mode is RiskMode.ACTIVE


def _sectors(view: FakeView) -> None:
    view.symbol_tags = {"X": {"sector": "tech"}, "Y": {"sector": "tech"}, "Z": {"sector": "oil"}}


def test_concentration_by_tag_against_gross_floored_at_equity() -> None:
    risk = RiskEngine(bare(concentration={"limits": {"sector": 0.5}}))
    view = FakeView(book(prices={"Z": 100.0}, Y=300))  # 30,000 tech; equity 100,000
    _sectors(view)
    assert risk.check(order(Side.BUY, 200), view) is None  # tech 50,000 of 100,000
    denial = risk.check(order(Side.BUY, 201), view)
    assert denial is not None
    assert denial.rule == "concentration:sector"
    assert denial.values["group"] == "tech"
    assert risk.check(order(Side.BUY, 400, symbol="Z"), view) is None


def test_concentration_measures_a_leveraged_book_against_its_gross() -> None:
    risk = RiskEngine(bare(concentration={"limits": {"sector": 0.5}}))
    view = FakeView(book(prices={"Z": 100.0}, Y=1000, Z=1500))  # gross 250,000 > equity
    _sectors(view)
    assert risk.check(order(Side.BUY, 500), view) is None  # tech 150,000 of 300,000
    assert risk.check(order(Side.BUY, 501), view) is not None
    # Untagged symbols form their own group.
    view.portfolio.last_prices["U"] = 100.0
    assert risk.check(order(Side.BUY, 3000, symbol="U"), view) is not None


def _returns(seed: int, n: int = 60) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.01, n)


def test_correlated_positions_count_as_one_exposure() -> None:
    config = bare(max_position_pct=0.10, correlation={"threshold": 0.8})
    risk = RiskEngine(config)
    base = _returns(1)
    view = FakeView(book(prices={"Y": 100.0}, Y=60))  # 6,000 in Y
    view.symbol_returns = {"X": base, "Y": base + _returns(2) * 0.1}  # correlation ~0.99
    assert risk.check(order(Side.BUY, 40), view) is None  # 4,000 + 6,000 = 10 %
    denial = risk.check(order(Side.BUY, 41), view)
    assert denial is not None
    assert denial.rule == "correlated_exposure"
    assert "Y (+0.99)" in denial.reason
    view.symbol_returns["Y"] = _returns(3)  # unrelated: X alone is judged
    assert risk.check(order(Side.BUY, 100), view) is None


def test_a_short_in_an_anti_correlated_symbol_adds_to_the_exposure() -> None:
    risk = RiskEngine(bare(max_position_pct=0.10, correlation={"threshold": 0.8}))
    base = _returns(1)
    view = FakeView(book(prices={"Y": 100.0}, Y=-60))
    view.symbol_returns = {"X": base, "Y": -base}
    assert risk.check(order(Side.BUY, 40), view) is None
    assert risk.check(order(Side.BUY, 41), view) is not None
    view.symbol_returns = {"X": base[-10:], "Y": -base[-10:]}  # too few to judge: uncorrelated
    assert risk.check(order(Side.BUY, 100), view) is None
