"""The event-driven backtest loop.

For each event of the merged, time-ordered stream:

1. advance the simulated clock to the event's timestamp (the bar's close: when it became known);
2. record the symbol's close as its last price (what risk and equity read);
3. let the fill simulator match that symbol's working orders against the bar; fills and status
   changes come back through ``on_venue_fill``/``on_venue_event``, which book them in the order
   manager and the portfolio, append audit rows and call the strategy;
4. call ``strategy.on_bar``; intents go ``submit`` -> risk -> order manager -> simulator.

A decision made on bar t can therefore trade no earlier than the next bar of that symbol (plus
latency): the simulator only ever matches orders that were working before the bar arrived.
Equity is not rebuilt per bar; ``ledger.build_ledger`` derives it from fills and closes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderStatus
from quantrail.core.errors import QuantrailError, StrategyError
from quantrail.core.events import CorporateAction, Fill, OrderUpdate
from quantrail.core.instruments import Instrument
from quantrail.core.order_state import OrderEventKind
from quantrail.core.orders import Order, OrderIntent
from quantrail.data import MergedStream, TradingCalendar
from quantrail.engine.risk_link import RiskLink
from quantrail.execution import ExecutionConfig, FillSimulator
from quantrail.oms import OrderManager
from quantrail.portfolio import Portfolio
from quantrail.risk import Denial, RiskEngine
from quantrail.runtime import LatencyRecorder, SimulatedClock
from quantrail.store.audit import AuditRecorder, to_json
from quantrail.strategy import Strategy

__all__ = ["AppliedAction", "BacktestEngine", "FillRecord"]

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class AppliedAction:
    """A split or dividend as booked: the event it took effect at, and what it changed."""

    event_index: int
    symbol_index: int
    shares: float  # extra shares from a split
    cash: float  # dividend received (+) or paid (-)
    action: CorporateAction


@dataclass(frozen=True, slots=True)
class FillRecord:
    fill: Fill
    event_index: int
    symbol_index: int
    order_reason: str


class BacktestEngine:
    """Wires clock, portfolio, risk, order manager and simulator around one strategy.

    Implements the strategy's ``TradingContext`` and the simulator's ``VenueListener``.
    """

    def __init__(
        self,
        *,
        stream: MergedStream,
        instruments: dict[str, Instrument],
        strategy: Strategy,
        execution: ExecutionConfig,
        risk: RiskEngine,
        audit: AuditRecorder,
        sigma: npt.NDArray[np.float64],
        actions: Sequence[CorporateAction] = (),
        tags: dict[str, dict[str, str]] | None = None,
        calendars: dict[str, TradingCalendar] | None = None,
    ) -> None:
        self.stream = stream
        self.strategy = strategy
        self.risk = risk
        self.audit = audit
        self.sigma = sigma
        self.clock = SimulatedClock(int(stream.ts[0]) if len(stream.ts) else 0)
        self._portfolio = Portfolio(execution.cash)
        self.oms = OrderManager()
        self.venue = FillSimulator(execution, instruments, self, self.clock)
        self._symbol_position = {s: i for i, s in enumerate(stream.symbols)}
        self.fills: list[FillRecord] = []
        self._event_index = 0
        self.adjustments: list[AppliedAction] = []
        self._actions = self._schedule(actions)
        self.last_bars: dict[str, Bar] = {}
        self.stopped_early: str | None = None
        self.events_done = len(stream.ts)  # fewer when the run stops early
        self.latency: LatencyRecorder | None = None  # attached by paper and live sessions
        self._calendars = calendars  # per symbol, when market hours are checked
        self.risk_link = RiskLink(self, tags or {})
        strategy.bind(self)

    # -- TradingContext --------------------------------------------------------------------
    @property
    def portfolio(self) -> Portfolio:
        return self._portfolio

    def now_ns(self) -> int:
        return self.clock.ts

    def working_orders(self, symbol: str | None = None) -> list[Order]:
        return self.oms.working_orders(symbol)

    # -- RiskView (with portfolio, now_ns and working_orders above) ----------------------------
    def last_bar(self, symbol: str) -> Bar | None:
        return self.last_bars.get(symbol)

    def is_market_open(self, symbol: str, ts_ns: int) -> bool | None:
        """Whether ``ts_ns`` lies inside a regular session of the symbol's calendar."""
        calendar = None if self._calendars is None else self._calendars.get(symbol)
        if calendar is None:
            return None
        k = int(np.searchsorted(calendar.segment_starts_ns, ts_ns, side="right")) - 1
        return k >= 0 and ts_ns < int(calendar.segment_ends_ns[k])

    def tags(self, symbol: str) -> dict[str, str]:
        return self.risk_link.tags.get(symbol, {})

    def aligned_returns(
        self, first: str, second: str, window: int
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Returns of both symbols between consecutive timestamps that both have and that are
        before now, over the last ``window`` of them, point by point."""
        closes = []
        stamps = []
        for symbol in (first, second):
            rows = self.risk_link.rows_of(symbol)
            ts = self.stream.ts[rows]
            known = int(np.searchsorted(ts, self.clock.ts, side="left"))
            stamps.append(ts[:known])
            closes.append(self.stream.close[rows[:known]])
        common = np.intersect1d(stamps[0], stamps[1], assume_unique=True)[-(window + 1) :]
        out = []
        for ts, close in zip(stamps, closes, strict=True):
            at = close[np.searchsorted(ts, common)]
            out.append(np.asarray(at[1:] / at[:-1] - 1.0, dtype=np.float64))
        return out[0], out[1]

    def returns(self, symbol: str, window: int) -> npt.NDArray[np.float64]:
        """Close-to-close returns of ``symbol``, oldest first, from bars stamped before now.

        Only timestamps every symbol has completed are used, so the series of two symbols end
        at the same moment and can be correlated point by point (the current event's own bar
        would otherwise shift one series by a bar).
        """
        rows = self.risk_link.rows_of(symbol)
        known = int(np.searchsorted(self.stream.ts[rows], self.clock.ts, side="left"))
        closes = self.stream.close[rows[max(known - window - 1, 0) : known]]
        return np.asarray(closes[1:] / closes[:-1] - 1.0, dtype=np.float64)

    def submit(self, intent: OrderIntent, strategy_id: str) -> Order:
        ts = self.clock.ts
        order = self.oms.create(intent, strategy_id, ts)
        self._audit_order(order)
        latency = self.latency
        checked = 0 if latency is None else latency.now()
        denial: Denial | None
        if intent.symbol not in self._symbol_position:
            denial = Denial("unknown_symbol", f"{intent.symbol!r} is not in this run's data")
            self.risk_link.record_denial(order, denial)
        else:
            denial = self.risk_link.check(order)
        if denial is not None:
            self._status(order, OrderEventKind.DENY, ts, f"{denial.rule}: {denial.reason}")
            return order
        self.risk.on_order_submitted(order, ts)
        self._status(order, OrderEventKind.SUBMIT, ts, "")
        if latency is not None:
            handed = latency.now()
            latency.record("risk_check", handed - checked)
            latency.record("event_to_submit", handed - latency.event_started)
        self.venue.submit(order)
        return order

    def cancel(self, client_order_id: str) -> None:
        order = self._known(client_order_id)
        if not order.status.is_working or order.status is OrderStatus.PENDING_CANCEL:
            return  # already done or already being canceled: a repeat is harmless
        self._status(order, OrderEventKind.CANCEL_REQUEST, self.clock.ts, "")
        self.venue.cancel(order)

    def modify(
        self,
        client_order_id: str,
        quantity: float | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
    ) -> None:
        order = self._known(client_order_id)
        if not order.status.is_working or order.status is OrderStatus.PENDING_CANCEL:
            return  # finished, or being canceled: there is nothing left to modify
        denial = self._check_replacement(order, quantity, limit_price, stop_price)
        if denial is not None:
            return
        if order.status is not OrderStatus.PENDING_REPLACE:
            self._status(order, OrderEventKind.REPLACE_REQUEST, self.clock.ts, "")
        # A second modify while one is in flight is merged into it by the venue.
        self.venue.modify(order, quantity, limit_price, stop_price)

    def _check_replacement(
        self,
        order: Order,
        quantity: float | None,
        limit_price: float | None,
        stop_price: float | None,
    ) -> Denial | None:
        """Run risk on the order as it would be after the replace; refuse it if it fails."""
        proposed = copy.copy(order)
        if quantity is not None:
            proposed.quantity = quantity
        if limit_price is not None:
            proposed.limit_price = limit_price
        if stop_price is not None:
            proposed.stop_price = stop_price
        denial = self.risk_link.check(proposed, what="modify")
        if denial is not None:
            ts = self.clock.ts
            reason = f"modify denied by {denial.rule}: {denial.reason}"
            update = OrderUpdate(
                order.client_order_id, OrderEventKind.DENY, order.status, ts, reason
            )
            self.audit.add(
                "order_events",
                (order.client_order_id, ts, "modify_denied", order.status.value, reason),
            )
            self._callback(self.strategy.on_order_update, update)
        return denial

    # -- VenueListener ---------------------------------------------------------------------
    def on_venue_fill(self, order: Order, fill: Fill) -> None:
        if not self.oms.apply_fill(order, fill):
            return  # a duplicate report of a fill already booked
        portfolio = self._portfolio
        portfolio.apply_fill(fill)
        self.risk_link.after_fill(fill)
        symbol_index = self._symbol_position[fill.symbol]
        self.fills.append(FillRecord(fill, self._event_index, symbol_index, order.reason))
        self.audit.add(
            "fills",
            (
                fill.fill_id, fill.client_order_id, fill.symbol, fill.side.label, fill.quantity,
                fill.price, fill.reference_price, fill.price_rule, fill.liquidity,
                fill.commission, fill.spread_cost, fill.slippage_cost, fill.ts, self.clock.ts,
                portfolio.position(fill.symbol), portfolio.cash,
            ),
        )  # fmt: skip
        self.audit.add(
            "order_events",
            (order.client_order_id, fill.ts, "fill", order.status.value, fill.fill_id),
        )
        self._callback(self.strategy.on_fill, fill)

    def on_venue_event(self, order: Order, kind: OrderEventKind, ts: int, reason: str) -> None:
        self._status(order, kind, ts, reason)

    # -- the loop --------------------------------------------------------------------------
    def run(self, progress: ProgressCallback | None = None, chunk: int = 20_000) -> None:
        s = self.stream
        n = len(s.ts)
        names = s.symbols
        quotes = bool(np.isfinite(s.bid).any())
        self.start()
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            # Python lists iterate several times faster than numpy scalars; converting one chunk
            # at a time keeps that speed without holding every bar as Python objects at once.
            window = slice(start, stop)
            columns = tuple(
                column[window].tolist()
                for column in (
                    s.ts, s.ts_open, s.open, s.high, s.low, s.close, s.volume, s.bid, s.ask,
                    s.session, self.sigma,
                )
            )  # fmt: skip
            symbols = [names[i] for i in s.symbol_index[window].tolist()]
            stopped = self._run_chunk(start, symbols, columns, quotes)
            if progress is not None:
                progress(stop)
            if stopped:
                break
        self.finish()

    def start(self) -> None:
        """Before the first event (``run`` calls it; paper and live sessions call it)."""
        self._callback(self.strategy.on_start)

    def process(self, index: int, bar: Bar, sigma: float) -> bool:
        """Handle one event exactly as the backtest loop does; return True to stop (kill switch).

        The backtest loop inlines these steps for speed; paper and live sessions, which get one
        event at a time from a paced replay or a feed, call this. tests/integration/test_paper.py
        holds the two paths to identical trades.
        """
        latency = self.latency
        if latency is not None:
            latency.event_started = t0 = latency.now()
        symbol = bar.symbol
        self.clock.advance_to(bar.ts)
        self._event_index = index
        self._portfolio.last_prices[symbol] = bar.close
        self._portfolio.last_price_times[symbol] = bar.ts
        self.last_bars[symbol] = bar
        if self._actions and self._actions[-1][0] == index:
            self._apply_due_actions(index)
        if self.risk_link.on_bar(bar):
            self.risk_link.execute_pending()
        if latency is not None:
            t1 = latency.now()
            latency.record("risk_monitors", t1 - t0)
        venue = self.venue
        if venue.has_orders(symbol):
            venue.on_bar(bar, sigma)
        if latency is not None:
            t2 = latency.now()
            latency.record("venue_match", t2 - t1)
        if self.risk_link.stopping and not venue.working_count:
            self.stopped_early = "kill switch: flattened and halted"
            self.events_done = index + 1
            return True
        if bar.bid == bar.bid:  # a quote is present (NaN is unequal to itself)
            venue.observe_quote(symbol, bar.bid, bar.ask)
        self._callback(self.strategy.on_bar, bar)
        if latency is not None:
            latency.record("strategy", latency.now() - t2)
        return False

    def finish(self) -> None:
        """End of data: cancel what still works, tell the strategy, flush the audit trail."""
        if len(self.stream.ts):
            self.venue.close_all(self.clock.ts, "end of data")
        self._callback(self.strategy.on_stop)
        self.audit.flush()

    def _run_chunk(
        self,
        offset: int,
        symbols: list[str],
        columns: tuple[list[Any], ...],
        quotes: bool,
    ) -> bool:
        """Run events ``offset ..``; return True when the run must stop early (kill switch)."""
        ts_, ts_open, open_, high, low, close, volume, bid, ask, session, sigma = columns
        clock = self.clock
        venue = self.venue
        venue_orders = venue._orders
        last_prices = self._portfolio.last_prices
        last_times = self._portfolio.last_price_times
        last_bars = self.last_bars
        risk_on_bar = self.risk_link.on_bar
        stopping = self.risk_link.stopping
        on_bar = self.strategy.on_bar
        actions = self._actions
        next_action = actions[-1][0] if actions else -1
        for i in range(len(ts_)):
            symbol = symbols[i]
            ts = ts_[i]
            clock.ts = ts
            self._event_index = offset + i
            last_prices[symbol] = close[i]
            last_times[symbol] = ts
            bar = Bar(
                symbol, ts, ts_open[i], open_[i], high[i], low[i], close[i], volume[i],
                bid[i], ask[i], session[i],
            )  # fmt: skip
            last_bars[symbol] = bar
            if offset + i == next_action:
                # Splits and dividends take effect before anything is valued or traded on the
                # ex-date: the monitors must see post-split shares at the post-split price.
                next_action = self._apply_due_actions(offset + i)
            if risk_on_bar(bar):
                self.risk_link.execute_pending()
                stopping = self.risk_link.stopping
            if venue_orders.get(symbol):
                venue.on_bar(bar, sigma[i])
            if stopping and not venue.working_count:
                self.stopped_early = "kill switch: flattened and halted"
                self.events_done = offset + i + 1
                return True
            if quotes:
                venue.observe_quote(symbol, bid[i], ask[i])
            try:
                on_bar(bar)
            except QuantrailError:
                raise
            except Exception as exc:
                raise self._strategy_error("on_bar", exc) from exc
        return False

    # -- corporate actions -------------------------------------------------------------------
    def _schedule(self, actions: Sequence[CorporateAction]) -> list[tuple[int, CorporateAction]]:
        """Map each action to the first event of its symbol at or after its ex-date and its
        availability; returned in reverse event order so the next one is ``[-1]``."""
        s = self.stream
        scheduled = []
        for action in actions:
            if action.symbol not in self._symbol_position:
                continue
            due = max(action.ex_ns, action.available_at_ns)
            rows = np.flatnonzero(
                (s.symbol_index == self._symbol_position[action.symbol]) & (s.ts_open >= due)
            )
            if len(rows):
                scheduled.append((int(rows[0]), action))
        # Latest first so the next one is [-1]; on one ex-date a split comes before a dividend,
        # which is then paid per post-split share (as the actions files state it).
        scheduled.sort(key=lambda item: (item[0], item[1].kind != "split"), reverse=True)
        return scheduled

    def _apply_due_actions(self, row: int) -> int:
        while self._actions and self._actions[-1][0] == row:
            self._apply_action(self._actions.pop()[1], row)
        return self._actions[-1][0] if self._actions else -1

    def _apply_action(self, action: CorporateAction, row: int) -> None:
        portfolio = self._portfolio
        symbol = action.symbol
        before = portfolio.position(symbol)
        ts = self.clock.ts
        shares = cash = 0.0
        if action.kind == "split":
            shares = portfolio.apply_split(symbol, action.value)
            # Orders priced before the split are wrong after it: cancel them, as many brokers
            # do, and let the strategy decide again on post-split prices.
            for order in self.oms.working_orders(symbol):
                self.venue.cancel_now(order, f"corporate action: {action.value:g}-for-1 split")
        else:
            cash = portfolio.apply_dividend(symbol, action.value)
        self.adjustments.append(
            AppliedAction(row, self._symbol_position[symbol], shares, cash, action)
        )
        self.audit.add(
            "corporate_actions",
            (ts, symbol, action.kind, action.value, action.ex_ns, before,
             portfolio.position(symbol), cash),
        )  # fmt: skip
        self._callback(self.strategy.on_corporate_action, action)

    # -- helpers ---------------------------------------------------------------------------
    def _known(self, client_order_id: str) -> Order:
        order = self.oms.get(client_order_id)
        if order is None:
            raise ValueError(f"unknown client order id {client_order_id!r}")
        return order

    def _status(self, order: Order, kind: OrderEventKind, ts: int, reason: str) -> None:
        update = self.oms.transition(order, kind, ts, reason)
        if update is None:
            return
        self.audit.add(
            "order_events", (order.client_order_id, ts, kind.value, update.status.value, reason)
        )
        if kind is not OrderEventKind.SUBMIT:
            self._callback(self.strategy.on_order_update, update)

    def _audit_order(self, order: Order) -> None:
        portfolio = self._portfolio
        intent = order.intent
        self.audit.add(
            "orders",
            (
                order.client_order_id, order.seq, order.strategy_id, order.symbol,
                order.side.label, order.quantity, order.order_type.value, order.limit_price,
                order.stop_price, order.time_in_force.value, order.ts_created, order.reason,
                to_json(intent.state), to_json(portfolio.positions()), portfolio.cash,
                portfolio.equity(), order.oco_group,
            ),
        )  # fmt: skip

    def _callback(self, method: Callable[..., None], *args: object) -> None:
        try:
            method(*args)
        except QuantrailError:
            raise
        except Exception as exc:
            raise self._strategy_error(method.__name__, exc) from exc

    def _strategy_error(self, where: str, exc: Exception) -> StrategyError:
        return StrategyError(
            f"strategy {self.strategy.strategy_id} raised in {where} at event "
            f"{self._event_index} (ts={self.clock.ts}): {exc!r}"
        )
