from __future__ import annotations

import pytest

from quantrail.data.feeds import StalenessMonitor

S = 1_000_000_000


def test_a_symbol_is_stale_only_after_its_threshold() -> None:
    monitor = StalenessMonitor(5.0)
    monitor.reset(["AAPL", "MSFT"], now_ns=0)
    assert monitor.check(5 * S) == []  # exactly the allowance is still fine
    monitor.touch("AAPL", 3 * S)
    assert monitor.check(5 * S + 1) == ["MSFT"]
    assert monitor.check(8 * S + 1) == ["AAPL", "MSFT"]


def test_thresholds_per_symbol_with_a_default_and_opt_out() -> None:
    monitor = StalenessMonitor({"*": 2.0, "ILLIQ": 60.0, "NEWS": None})
    monitor.reset(["AAPL", "ILLIQ", "NEWS"], now_ns=0)
    assert monitor.threshold_ns("AAPL") == 2 * S
    assert monitor.threshold_ns("NEWS") is None
    assert monitor.check(59 * S) == ["AAPL"]
    assert monitor.check(61 * S) == ["AAPL", "ILLIQ"]


def test_silence_while_the_session_is_closed_does_not_count() -> None:
    open_from = 100 * S

    def is_open(symbol: str, ts_ns: int) -> bool:
        return ts_ns >= open_from

    monitor = StalenessMonitor(10.0, is_open)
    monitor.reset(["SPY"], now_ns=0)
    assert monitor.check(50 * S) == []  # closed: the timer is held
    assert monitor.check(100 * S) == []  # just opened: the allowance starts now
    assert monitor.check(110 * S) == []
    assert monitor.check(110 * S + 1) == ["SPY"]


def test_disabled_monitor_and_late_subscriptions() -> None:
    assert not StalenessMonitor(None).enabled
    monitor = StalenessMonitor(1.0)
    monitor.reset([], now_ns=0)
    monitor.add(["ETH"], now_ns=5 * S)
    assert monitor.check(6 * S) == []
    assert monitor.check(6 * S + 1) == ["ETH"]
    monitor.touch_all(6 * S)
    assert monitor.check(6 * S + 1) == []


def test_non_positive_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="stale_after for AAPL"):
        StalenessMonitor({"AAPL": 0.0})
