"""The trading side of the emulator: account, orders, replayed time and the trade-updates stream.

Time is the replay's, not the wall clock's: it starts at the first bar's open and moves only
when the caller advances the tape (``advance_bars``) or a pace does, so a test decides exactly
which bar an order meets. Each bar goes to the injected fill model, which reports fills back to
the book; the book publishes them as trade updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

from quantrail.core.enums import OrderStatus, OrderType, Side, TimeInForce
from quantrail.core.orders import Order, OrderIntent
from quantrail.emulator.script import MarketScript
from quantrail.emulator.trading_book import OrderError, OrderMatcher, TradingBook
from quantrail.emulator.trading_faults import TradingFaultPlan, TradingFaultState, TradingStats
from quantrail.emulator.trading_market import BarTape
from quantrail.emulator.trading_records import OrderRecord, account_wire
from quantrail.emulator.trading_rest import NewOrder, add_trading_routes
from quantrail.emulator.trading_setup import TradingSetup
from quantrail.emulator.trading_state import (
    dump_state,
    load_state,
    read_state,
    resubmit,
    write_state,
)
from quantrail.emulator.trading_stream import UpdateBus, trade_stream_handler
from quantrail.runtime.clock import SimulatedClock

__all__ = ["TradingVenue"]


class TradingVenue:
    """Alpaca's trading REST (``/v2/account``, ``/v2/orders``, ...) and ``/stream``."""

    def __init__(
        self,
        setup: TradingSetup,
        script: MarketScript,
        api_key: str | None = None,
        api_secret: str | None = None,
    ) -> None:
        self.setup = setup
        self.stats = TradingStats()
        self.faults = TradingFaultState(setup.faults)
        self.tape = BarTape(script, setup.symbols, setup.session_tz, setup.volatility_window)
        self.clock = SimulatedClock(self.tape.start_ns)
        self.bus = UpdateBus(self.faults, self.stats)
        self.book = TradingBook(setup.cash, self.clock, self.bus.publish)
        self._credentials = (api_key, api_secret)
        self._path = None if setup.state_path is None else Path(setup.state_path)
        self._pacer: asyncio.Task[None] | None = None
        state = None if self._path is None else read_state(self._path)
        if state is not None:
            load_state(self.book, state)
            self.clock.ts = max(self.clock.ts, int(state["clock_ns"]))
            self.tape.seek_after(state["last_step_ns"])
            self.stats.restored_orders = len(self.book.orders)
        self.matcher: OrderMatcher = setup.matcher(self.book, self.clock)
        self.book.matcher = self.matcher
        resubmit(self.book, self.matcher)

    # -- lifecycle ----------------------------------------------------------------------------

    def mount(self, app: web.Application) -> None:
        """Add the trading routes to the emulator's app (before its ``/v2/{feed}`` stream)."""
        add_trading_routes(app, self)
        bus, allowed = self.bus, self.allowed

        async def stream(request: web.Request) -> web.WebSocketResponse:
            return await trade_stream_handler(request, bus, allowed)

        app.router.add_get("/stream", stream)

    async def start(self) -> None:
        """Start the pace, when one is set."""
        pace = self.setup.bar_pace
        if pace is not None and self._pacer is None:
            self._pacer = asyncio.create_task(self._pace(pace))

    async def stop(self) -> None:
        """Stop the pace, close the trade-updates sockets and write the state."""
        if self._pacer is not None:
            self._pacer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pacer
            self._pacer = None
        await self.bus.close_all()
        self.save()

    def save(self) -> None:
        """Write the state file (no-op without ``state_path``)."""
        if self._path is not None:
            state = dump_state(self.book, self.clock.ts, self.tape.last_start_ns)
            write_state(self._path, state)

    # -- driving time and faults ---------------------------------------------------------------

    def advance_bars(self, n: int = 1) -> int:
        """Replay the next ``n`` steps through the fill model; returns how many there were."""
        plan = self.faults.plan
        done = 0
        while done < n:
            step = self.tape.next_step()
            if step is None:
                break
            for item in step:
                bar = item.bar
                self.clock.ts = max(self.clock.ts, bar.ts)
                near_close = item.bars_to_session_end < plan.close_bars
                if near_close and bar.volume > plan.close_volume:
                    bar.volume = plan.close_volume
                    self.stats.close_capped_bars += 1
                self.matcher.on_bar(bar, item.sigma)
                self.book.last_price[bar.symbol] = bar.close
                self.stats.bars_processed += 1
            done += 1
        if done:
            self.save()
        return done

    def set_faults(self, plan: TradingFaultPlan) -> None:
        """Put ``plan`` in force from now on (request and order numbering carries on)."""
        self.faults.plan = plan

    def allowed(self, key: str, secret: str) -> bool:
        """True when the credentials are accepted (any non-empty pair unless configured)."""
        want_key, want_secret = self._credentials
        if want_key is not None or want_secret is not None:
            return key == want_key and secret == want_secret
        return bool(key) and bool(secret)

    # -- requests --------------------------------------------------------------------------------

    def mark(self, symbol: str) -> float:
        """The price positions and market orders are valued at."""
        price = self.book.mark(symbol)
        return self.tape.first_open(symbol) if math.isnan(price) else price

    def submit(self, new: NewOrder) -> tuple[dict[str, Any], int]:
        """Store and work a new order; returns the answer and the submission's number.

        Raises
        ------
        OrderError
            For an unknown symbol, a client order id in use or too little buying power.
        """
        book = self.book
        # Alpaca takes a crypto pair with or without its slash (BTC/USD, BTCUSD).
        pairs = {s.replace("/", ""): s for s in self.tape.symbols}
        new = dataclasses.replace(new, symbol=pairs.get(new.symbol, new.symbol))
        if new.symbol not in self.tape.symbols:
            raise OrderError(422, 40010001, f'asset "{new.symbol}" not found')
        if new.client_order_id in book.by_client_id:
            self.stats.duplicate_client_order_ids += 1
            raise OrderError(422, 40010001, "client_order_id must be unique")
        if new.side == "buy":
            price = new.limit_price or new.stop_price or self.mark(new.symbol)
            if new.qty * price > book.cash - book.reserved_cash() + 1e-9:
                raise OrderError(403, 40310000, "insufficient buying power")
        number = self.faults.next_submission()
        self.stats.orders_submitted += 1
        now = self.clock.now_ns()
        key = str(uuid.uuid4())
        intent = OrderIntent(
            new.symbol,
            Side.BUY if new.side == "buy" else Side.SELL,
            new.qty,
            OrderType(new.type),
            new.limit_price,
            new.stop_price,
            TimeInForce(new.time_in_force),
        )
        order = Order(key, book.next_seq(), intent, "emulator", now)
        order.status = OrderStatus.SUBMITTED
        record = OrderRecord(
            key,
            new.client_order_id,
            key,
            new.symbol,
            new.side,
            new.type,
            new.time_in_force,
            new.qty,
            new.limit_price,
            new.stop_price,
            "accepted",
            now,
            now,
            now,
        )
        book.add(record, order)
        plan = self.faults.plan
        if new.symbol in plan.reject_symbols or number in plan.reject_orders:
            answer = record.wire()  # the client hears "accepted"; the rejection follows
            self.stats.orders_rejected += 1
            book.reject(record, order, "rejected by the fault plan")
        else:
            self.matcher.submit(order)
            answer = record.wire()
        self.save()
        return answer, number

    def replace(self, record: OrderRecord, changes: dict[str, Any]) -> dict[str, Any]:
        """Replace ``record`` (PATCH); returns the replacing order.

        Raises
        ------
        OrderError
            When the order cannot be replaced or the new client order id is in use.
        """
        coid = changes.get("client_order_id") or str(uuid.uuid4())
        if coid in self.book.by_client_id:
            self.stats.duplicate_client_order_ids += 1
            raise OrderError(422, 40010001, "client_order_id must be unique")
        now = self.clock.now_ns()
        new_id = str(uuid.uuid4())
        replacement = OrderRecord(
            new_id,
            coid,
            record.key,
            record.symbol,
            record.side,
            record.type,
            changes.get("time_in_force") or record.time_in_force,
            changes.get("qty") or record.qty,
            changes.get("limit_price") or record.limit_price,
            changes.get("stop_price") or record.stop_price,
            "pending_new",
            now,
            now,
            now,
            replaces=record.id,
        )
        self.book.request_replace(record, replacement)
        self.save()
        return replacement.wire()

    def cancel(self, record: OrderRecord) -> None:
        """Cancel ``record`` (DELETE).

        Raises
        ------
        OrderError
            When the order is no longer open.
        """
        self.book.request_cancel(record)
        self.save()

    def account(self) -> dict[str, Any]:
        """``GET /v2/account``: cash, buying power (cash not reserved by open buys), equity."""
        book = self.book
        values = [p.qty * self.mark(p.symbol) for p in book.open_positions()]
        answer: dict[str, Any] = account_wire(
            book.cash, book.initial_cash, book.reserved_cash(), values
        )
        return answer

    # -- internals ----------------------------------------------------------------------------

    async def _pace(self, pace: float) -> None:
        while self.tape.remaining:
            await asyncio.sleep(pace)
            self.advance_bars(1)
