"""Shared pieces of the trading-emulator tests: a known market, the project's fill model wired
in, and the real alpaca-py TradingClient / TradingStream pointed at the emulator."""

from __future__ import annotations

import functools
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantrail.core import Instrument
from quantrail.emulator import MarketScript, TradingFaultPlan, TradingHandle, TradingSetup
from quantrail.execution import ExecutionConfig, FillSimulator

with warnings.catch_warnings():
    # alpaca-py imports websockets.legacy (deprecated upstream); import it once, quietly.
    warnings.filterwarnings("ignore", "websockets.legacy", DeprecationWarning)
    from alpaca.common.exceptions import APIError
    from alpaca.trading.client import TradingClient
    from alpaca.trading.enums import OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
    from alpaca.trading.models import TradeUpdate
    from alpaca.trading.requests import (
        GetOrdersRequest,
        LimitOrderRequest,
        MarketOrderRequest,
        OrderRequest,
        ReplaceOrderRequest,
        StopLimitOrderRequest,
        StopOrderRequest,
    )
    from alpaca.trading.stream import TradingStream

__all__ = [
    "APIError",
    "GetOrdersRequest",
    "OrderStatus",
    "QueryOrderStatus",
    "ReplaceOrderRequest",
    "TradingClient",
    "TradingStream",
    "Updates",
    "client_for",
    "fill_simulator",
    "market",
    "request",
    "start",
    "trade_updates",
]

MINUTE = 60_000_000_000
SESSION_1 = pd.Timestamp("2024-01-02 14:30", tz="UTC").value  # 09:30 New York
SESSION_2 = pd.Timestamp("2024-01-03 14:30", tz="UTC").value
BARS_PER_SESSION = 10
VOLUME = 1000.0  # with max_volume_share 0.1 at most 100 shares fill per bar


def bar_open(k: int) -> float:
    """Open of the k-th bar (0-based over both sessions): 100, 101, ... high +0.5, low -0.5."""
    return 100.0 + k


def market() -> MarketScript:
    """AAPL and MSFT: two sessions of ten one-minute bars with known prices."""
    starts = [SESSION_1, SESSION_2]
    ts = np.concatenate([s + np.arange(BARS_PER_SESSION) * MINUTE for s in starts])
    opens = np.array([bar_open(k) for k in range(len(ts))])
    frame = pd.DataFrame(
        {
            "ts": ts,
            "open": opens,
            "high": opens + 0.5,
            "low": opens - 0.5,
            "close": opens + 0.25,
            "volume": VOLUME,
        }
    )
    return MarketScript(bars={"AAPL": frame, "MSFT": frame.copy()})


def execution_config(latency: str = "0s") -> ExecutionConfig:
    """Costs off so prices are the model's reference prices; the volume cap stays on."""
    return ExecutionConfig.model_validate(
        {
            "commission": {"per_share": 0.0, "minimum": 0.0},
            "spread_bps": 0.0,
            "slippage": {"fixed_bps": 0.0, "volatility_factor": 0.0, "impact_factor": 0.0},
            "max_volume_share": 0.1,
            "latency": latency,
        }
    )


def fill_simulator(listener: Any, clock: Any, latency: str = "0s") -> FillSimulator:
    """The project's fill model, as the emulator's matcher factory."""
    instruments = {s: Instrument(s) for s in ("AAPL", "MSFT")}
    return FillSimulator(execution_config(latency), instruments, listener, clock)


def start(
    faults: TradingFaultPlan | None = None,
    state: Path | None = None,
    latency: str = "0s",
    **kwargs: Any,
) -> TradingHandle:
    """A trading emulator on the test market (stop it, or use it in ``with``)."""
    setup = TradingSetup(
        matcher=functools.partial(fill_simulator, latency=latency),
        cash=100_000.0,
        state_path=state,
        faults=faults or TradingFaultPlan(),
        **kwargs,
    )
    return TradingHandle.start(market(), trading=setup)


def request(
    client_order_id: str,
    qty: float = 10,
    side: str = "buy",
    *,
    limit: float | None = None,
    stop: float | None = None,
    tif: str = "gtc",
    symbol: str = "AAPL",
) -> OrderRequest:
    """An alpaca-py order request: market, limit, stop or stop-limit by the prices given."""
    common: dict[str, Any] = {
        "symbol": symbol,
        "qty": qty,
        "side": OrderSide(side),
        "time_in_force": TimeInForce(tif),
        "client_order_id": client_order_id,
    }
    if limit is not None and stop is not None:
        return StopLimitOrderRequest(limit_price=limit, stop_price=stop, **common)
    if limit is not None:
        return LimitOrderRequest(limit_price=limit, **common)
    if stop is not None:
        return StopOrderRequest(stop_price=stop, **common)
    return MarketOrderRequest(**common)


def client_for(emu: TradingHandle) -> TradingClient:
    """The real alpaca-py client, retrying 429s after 0.05 s instead of 3 s to stay fast."""
    client = TradingClient("key", "secret", url_override=emu.rest_url)
    client._retry_wait = 0.05  # type: ignore[assignment]  # alpaca-py exposes no setting
    return client


class Updates:
    """Trade updates received by a TradingStream, in arrival order, with their arrival times."""

    def __init__(self) -> None:
        self.items: list[TradeUpdate] = []
        self.times: list[float] = []
        self._cond = threading.Condition()

    def add(self, update: TradeUpdate) -> None:
        with self._cond:
            self.items.append(update)
            self.times.append(time.monotonic())
            self._cond.notify_all()

    def wait_for(self, pred: Callable[[list[TradeUpdate]], bool], timeout: float = 5.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: pred(self.items), timeout):
                raise AssertionError(f"updates never matched; got {self.events()}")

    def wait_count(self, n: int, timeout: float = 5.0) -> None:
        self.wait_for(lambda items: len(items) >= n, timeout)

    def events(self, client_order_id: str | None = None) -> list[str]:
        with self._cond:
            return [
                str(u.event.value if hasattr(u.event, "value") else u.event)
                for u in self.items
                if client_order_id is None or u.order.client_order_id == client_order_id
            ]


@contextmanager
def trade_updates(emu: TradingHandle) -> Iterator[Updates]:
    """Run alpaca-py's TradingStream in a thread and collect what it hands its handler."""
    got = Updates()
    stream = TradingStream("key", "secret", url_override=emu.stream_url)

    async def on_update(update: TradeUpdate) -> None:
        got.add(update)

    stream.subscribe_trade_updates(on_update)
    thread = threading.Thread(target=stream.run, name="trading-stream", daemon=True)
    thread.start()
    emu.wait_for_listeners()
    try:
        yield got
    finally:
        stream.stop()
        # The stream checks its stop flag only between frames; a normal close wakes it.
        emu.close_trade_streams()
        thread.join(5)
        assert not thread.is_alive()
