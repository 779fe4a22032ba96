"""The fill simulator: the venue of backtest and paper modes.

Per bar of a symbol with working orders:

1. Apply cancels and replaces whose latency has elapsed; expire DAY orders whose session ended.
2. Skip orders that had not reached the venue when the bar opened (submit time + latency). A
   market order that arrives inside the bar fills at the bar's close.
3. Match the rest in priority order (``matching.priority``) against the bar
   (``matching.match_order``), each capped by what is left of ``max_volume_share`` x volume.
4. Price marketable fills: half the spread plus slippage against the trader, rounded to the
   tick against the trader; resting limit fills trade at their limit. Charge commission.
5. Report fills and status events to the listener; cancel the rest of an IOC, the whole of a
   FOK that could not fill completely, and the OCO siblings of a filled order.
"""

from __future__ import annotations

import math

from quantrail.core.bar import Bar
from quantrail.core.enums import OrderType, Side, TimeInForce
from quantrail.core.events import Fill
from quantrail.core.instruments import Instrument
from quantrail.core.order_state import OrderEventKind
from quantrail.core.orders import Order
from quantrail.core.ports import Clock, VenueListener
from quantrail.execution.config import ExecutionConfig
from quantrail.execution.costs import commission_for, slippage_fraction
from quantrail.execution.matching import match_order, priority

__all__ = ["FillSimulator"]

_QTY_EPS = 1e-9


class FillSimulator:
    """Simulated venue. Implements the ``ExecutionVenue`` port."""

    def __init__(
        self,
        config: ExecutionConfig,
        instruments: dict[str, Instrument],
        listener: VenueListener,
        clock: Clock,
    ) -> None:
        self.config = config
        self.instruments = instruments
        self.listener = listener
        self._clock = clock
        self.latency_ns = config.latency_ns
        self.fill_at_close = config.fill == "next_close"
        self._default_half_spread = config.spread_bps / 20_000.0
        self._half_spread: dict[str, float] = {}
        self._orders: dict[str, list[Order]] = {}
        self._pending_cancel: dict[str, int] = {}
        self._pending_replace: dict[str, tuple[int, float | None, float | None, float | None]] = {}
        self._filled_notional: dict[str, float] = {}
        self._fill_seq = 0
        self.working_count = 0
        # True while a bar is being matched. Callbacks run then (on_fill, on_order_update) at the
        # bar's close; a cancel or modify they send must not change how this bar fills.
        self._matching = False

    # -- the ExecutionVenue port -----------------------------------------------------------
    def submit(self, order: Order) -> None:
        ts = self._clock.now_ns()
        order.ts_eligible = ts + self.latency_ns
        self._orders.setdefault(order.symbol, []).append(order)
        self.working_count += 1
        self.listener.on_venue_event(order, OrderEventKind.ACCEPT, ts, "")

    def cancel(self, order: Order) -> None:
        ts = self._clock.now_ns()
        # A cancel supersedes a replace still in flight.
        self._pending_replace.pop(order.client_order_id, None)
        if self.latency_ns == 0 and not self._matching:
            self._remove(order)
            self.listener.on_venue_event(order, OrderEventKind.CANCEL, ts, "canceled by strategy")
        else:
            self._pending_cancel[order.client_order_id] = ts + self.latency_ns

    def modify(
        self,
        order: Order,
        quantity: float | None,
        limit_price: float | None,
        stop_price: float | None,
    ) -> None:
        ts = self._clock.now_ns()
        # A modify sent while another is in flight updates it: the newest value of each field
        # wins and the whole replace lands one latency after the newest request.
        pending = self._pending_replace.pop(order.client_order_id, None)
        if pending is not None:
            quantity = pending[1] if quantity is None else quantity
            limit_price = pending[2] if limit_price is None else limit_price
            stop_price = pending[3] if stop_price is None else stop_price
        if self.latency_ns == 0 and not self._matching:
            self._replace(order, quantity, limit_price, stop_price, ts)
        else:
            due = ts + self.latency_ns
            self._pending_replace[order.client_order_id] = (due, quantity, limit_price, stop_price)

    def cancel_now(self, order: Order, reason: str) -> None:
        """Cancel at once, venue-initiated (a corporate action), whatever the latency."""
        self._finish(order, OrderEventKind.CANCEL, self._clock.now_ns(), reason)

    # -- market data ---------------------------------------------------------------------
    def observe_quote(self, symbol: str, bid: float, ask: float) -> None:
        """Remember the spread of the last quote; later marketable fills pay half of it."""
        if bid > 0 and ask >= bid and math.isfinite(bid) and math.isfinite(ask):
            self._half_spread[symbol] = (ask - bid) / (ask + bid)

    def has_orders(self, symbol: str) -> bool:
        return bool(self._orders.get(symbol))

    def on_bar(self, bar: Bar, sigma: float) -> None:
        """Match the working orders of ``bar.symbol`` against it."""
        orders = self._orders.get(bar.symbol)
        if not orders:
            return
        cap = self.config.max_volume_share
        # Unknown (NaN) or zero volume leaves nothing to take under a cap.
        volume_left = math.inf if cap is None else (cap * bar.volume if bar.volume > 0 else 0.0)
        self._matching = True
        try:
            for order in sorted(orders, key=priority):
                if not order.status.is_working or self._apply_pending(order, bar):
                    continue
                if self._day_order_expired(order, bar):
                    self._finish(order, OrderEventKind.EXPIRE, bar.ts, "day order: session ended")
                    continue
                volume_left = self._try_fill(order, bar, sigma, volume_left)
        finally:
            self._matching = False

    @staticmethod
    def _day_order_expired(order: Order, bar: Bar) -> bool:
        return (
            order.time_in_force is TimeInForce.DAY
            and order.session is not None
            and bar.session != order.session
        )

    def close_all(self, ts: int, reason: str) -> None:
        """Cancel every working order (end of data)."""
        for orders in list(self._orders.values()):
            for order in list(orders):
                self._finish(order, OrderEventKind.CANCEL, ts, reason)

    # -- internals -----------------------------------------------------------------------
    def _apply_pending(self, order: Order, bar: Bar) -> bool:
        """Apply a due cancel or replace; return True when the order is gone."""
        oid = order.client_order_id
        due = self._pending_cancel.get(oid)
        if due is not None and bar.ts_open >= due:
            del self._pending_cancel[oid]
            self._finish(order, OrderEventKind.CANCEL, due, "canceled by strategy")
            return True
        pending = self._pending_replace.get(oid)
        if pending is not None and bar.ts_open >= pending[0]:
            del self._pending_replace[oid]
            self._replace(order, pending[1], pending[2], pending[3], pending[0])
        return not order.status.is_working

    def _replace(
        self,
        order: Order,
        quantity: float | None,
        limit_price: float | None,
        stop_price: float | None,
        ts: int,
    ) -> None:
        if quantity is not None:
            if quantity < order.filled_quantity - _QTY_EPS or quantity <= 0:
                self.listener.on_venue_event(
                    order,
                    OrderEventKind.REJECT,
                    ts,
                    f"replace quantity {quantity} is below the filled {order.filled_quantity}",
                )
                return
            order.quantity = quantity
        if limit_price is not None:
            order.limit_price = limit_price
        if stop_price is not None:
            order.stop_price = stop_price
        self.listener.on_venue_event(order, OrderEventKind.REPLACE, ts, "replaced")
        if order.quantity - order.filled_quantity <= _QTY_EPS:
            self._finish(order, OrderEventKind.CANCEL, ts, "replaced down to the filled quantity")

    def _eligible(self, order: Order, bar: Bar) -> tuple[bool, bool]:
        """Return (eligible, arrived_inside_bar)."""
        if bar.ts_open >= order.ts_eligible:
            return True, False
        return bar.ts > order.ts_eligible and order.order_type is OrderType.MARKET, True

    def _try_fill(self, order: Order, bar: Bar, sigma: float, volume_left: float) -> float:
        eligible, inside = self._eligible(order, bar)
        if not eligible:
            return volume_left
        if order.session is None:
            order.session = bar.session
        if inside:
            match: tuple[float, str, bool] | None = (bar.close, "arrived_inside_bar_close", True)
        else:
            match = match_order(order, bar, self.fill_at_close, self.config.limit_fill_on_touch)
        tif = order.time_in_force
        if match is None:
            if tif is TimeInForce.IOC or tif is TimeInForce.FOK:
                self._finish(order, OrderEventKind.CANCEL, bar.ts, f"{tif}: not marketable")
            return volume_left
        instrument = self.instruments[order.symbol]
        remaining = order.quantity - order.filled_quantity
        quantity = instrument.round_quantity(min(remaining, volume_left))
        if tif is TimeInForce.FOK and quantity < remaining - _QTY_EPS:
            self._finish(order, OrderEventKind.CANCEL, bar.ts, "fok: volume cap allows only part")
            return volume_left
        if quantity > 0:
            self._fill(order, bar, quantity, match, sigma, instrument)
            volume_left -= quantity
        if order.status.is_working and tif is TimeInForce.IOC:
            self._finish(order, OrderEventKind.CANCEL, bar.ts, "ioc: rest canceled")
        return volume_left

    def _fill(
        self,
        order: Order,
        bar: Bar,
        quantity: float,
        match: tuple[float, str, bool],
        sigma: float,
        instrument: Instrument,
    ) -> None:
        reference, rule, taker = match
        sign = 1.0 if order.side is Side.BUY else -1.0
        spread_cost = slippage_cost = 0.0
        price = reference
        if taker:
            half_spread = self._half_spread.get(order.symbol, self._default_half_spread)
            slip = slippage_fraction(self.config.slippage, sigma, quantity, bar.volume)
            raw = reference * (1.0 + sign * (half_spread + slip))
            price = instrument.round_price_up(raw) if sign > 0 else instrument.round_price_down(raw)
            limit = order.limit_price
            if limit is not None and (price - limit) * sign > 0:
                price = limit  # a limit order never pays more (or receives less) than its limit
            total_cost = quantity * abs(price - reference)
            spread_cost = min(quantity * reference * half_spread, total_cost)
            slippage_cost = total_cost - spread_cost
        oid = order.client_order_id
        before = self._filled_notional.get(oid, 0.0)
        notional = before + quantity * price
        self._filled_notional[oid] = notional
        commission_total = commission_for(
            self.config.commission, order.filled_quantity + quantity, notional
        )
        self._fill_seq += 1
        fill = Fill(
            fill_id=f"F{self._fill_seq}",
            client_order_id=oid,
            symbol=order.symbol,
            side=order.side,
            quantity=quantity,
            price=price,
            reference_price=reference,
            commission=round(commission_total - order.commission, 10),
            spread_cost=spread_cost,
            slippage_cost=slippage_cost,
            ts=bar.ts if rule in ("next_close", "arrived_inside_bar_close") else bar.ts_open,
            liquidity="taker" if taker else "maker",
            price_rule=rule,
        )
        self.listener.on_venue_fill(order, fill)
        if not order.status.is_working:
            self._remove(order)
        if order.oco_group is not None:
            self._reduce_oco(order, quantity, bar.ts)

    def _reduce_oco(self, filled: Order, quantity: float, ts: int) -> None:
        """Take a fill's quantity off the other orders of its OCO group.

        A partial fill of a stop must shrink its profit target by the same amount, or the two
        together could sell more than the position they protect.
        """
        for other in list(self._orders.get(filled.symbol, ())):
            if other.oco_group != filled.oco_group or other is filled:
                continue
            reduced = other.quantity - quantity
            if reduced <= other.filled_quantity + _QTY_EPS:
                reason = f"oco: {filled.client_order_id} filled"
                self._finish(other, OrderEventKind.CANCEL, ts, reason)
            else:
                other.quantity = reduced
                reason = f"oco: reduced to {reduced:g} by a fill of {filled.client_order_id}"
                self.listener.on_venue_event(other, OrderEventKind.ACCEPT, ts, reason)

    def _finish(self, order: Order, kind: OrderEventKind, ts: int, reason: str) -> None:
        self._remove(order)
        self.listener.on_venue_event(order, kind, ts, reason)

    def _remove(self, order: Order) -> None:
        orders = self._orders.get(order.symbol)
        if orders is not None and order in orders:
            orders.remove(order)
            self.working_count -= 1
        self._pending_cancel.pop(order.client_order_id, None)
        self._pending_replace.pop(order.client_order_id, None)
        self._filled_notional.pop(order.client_order_id, None)
