"""The risk engine: pre-trade rules, monitors on bars and fills, the mode latch.

``check`` runs, for one order: order sanity, then the mode gate (kill switch, HALTED,
REDUCE_ONLY), then the symbol locks (per-symbol reduce-only), then every rule the config
switches on; the first denial wins. It fails closed: if the context cannot be built or a rule
raises, the order is denied naming what failed. It changes nothing a later decision reads (it
only appends the denial to the event log); counting happens in ``on_order_submitted``, so a
denied order is never counted.

``on_bar`` and ``on_fill`` run the monitors (daily loss, drawdown breaker, kill switch,
unprotected positions) and return the ``RiskAction`` list the engine must carry out. A monitor
that cannot evaluate (equity raises or is not finite) puts the engine in REDUCE_ONLY for the
session: no new risk while it is blind.
"""

from __future__ import annotations

from collections import Counter

from quantrail.core.bar import Bar
from quantrail.core.events import Fill
from quantrail.core.orders import Order
from quantrail.core.time import NANOS_PER_DAY
from quantrail.risk.activity import Activity
from quantrail.risk.config import RiskConfig
from quantrail.risk.context import build_context, pending_quantity
from quantrail.risk.events import Denial, RiskAction, RiskEvent, Severity, Value
from quantrail.risk.latch import LATCH, SESSION, LatchBook, ModeGate
from quantrail.risk.locks import SymbolLockGate
from quantrail.risk.modes import RiskMode, reduces
from quantrail.risk.monitors import Monitors
from quantrail.risk.rules.base import PreTradeRule
from quantrail.risk.rules.build import build_rules
from quantrail.risk.rules.sanity import OrderSanityRule
from quantrail.risk.state import Change, Latch, RiskStateStore, SymbolLock
from quantrail.risk.view import RiskView

__all__ = ["RiskConfig", "RiskEngine"]  # RiskConfig re-exported: engine/config.py imports it here

_BREAKER = (RiskAction.CANCEL_ALL, RiskAction.FLATTEN_ALL, RiskAction.HALT)


class RiskEngine:
    """Pre-trade checks, monitors and the mode latch for one account.

    Parameters
    ----------
    config : RiskConfig, optional
        The limits; defaults apply when omitted.
    state : RiskStateStore, optional
        Where latches, the change log and monitor marks persist. A store on the same file as a
        previous engine restores its latch. Omitted: an in-memory store.
    """

    def __init__(
        self, config: RiskConfig | None = None, state: RiskStateStore | None = None
    ) -> None:
        self._config = config or RiskConfig()
        self._store = state or RiskStateStore()
        self._pending: RiskConfig | None = None
        self._book = LatchBook(self._store)
        self._activity = Activity()
        self._events: list[RiskEvent] = []
        self._stats: Counter[str] = Counter()
        self._now = 0
        self._kill_handled = False  # the kill switch currently pulled was acted on
        self._monitors = Monitors(self._config, self._store)
        self._sanity = OrderSanityRule()
        self._locks = SymbolLockGate(self._store)
        self._apply(self._config)

    def _apply(self, config: RiskConfig) -> None:
        self._config = config
        self._monitors.configure(config)
        self._gate = ModeGate(self._book, self._monitors.kill_switch)
        self._rules: tuple[PreTradeRule, ...] = (
            self._sanity, self._gate, self._locks, *build_rules(config),
        )  # fmt: skip

    # -- state -------------------------------------------------------------------------------
    @property
    def mode(self) -> RiskMode:
        return self._book.mode

    @property
    def config(self) -> RiskConfig:
        return self._config

    @property
    def pending_config(self) -> RiskConfig | None:
        """A limit change waiting for the next session boundary."""
        return self._pending

    @property
    def state(self) -> RiskStateStore:
        return self._store

    # -- pre-trade ---------------------------------------------------------------------------
    def check(self, order: Order, view: RiskView) -> Denial | None:
        """Return why ``order`` must not go out, or None. Fails closed on any error."""
        try:
            ctx = build_context(order, view, self._activity, self._day(view.now_ns()))
        except Exception as exc:
            what = f"{order.client_order_id} {order.symbol}"
            failed = Denial("risk_context", f"{what}: could not evaluate: {exc!r}")
            return self._deny(failed, order, self._now)
        self._now = max(self._now, ctx.now_ns)
        for rule in self._rules:
            denial: Denial | None
            try:
                denial = rule.check(ctx)
            except Exception as exc:
                denial = Denial(
                    rule.name,
                    f"{order.client_order_id} {order.symbol}: could not evaluate {rule.name}: "
                    f"{exc!r}",
                )
            if denial is not None:
                return self._deny(denial, order, ctx.now_ns)
        return None

    def _deny(self, denial: Denial, order: Order, ts_ns: int) -> Denial:
        # Logging only: nothing a later decision reads changes here.
        self._stats[denial.rule] += 1
        values = {**denial.values, "limit": denial.limit, "order": order.client_order_id}
        self._events.append(
            RiskEvent(ts_ns, denial.rule, "deny", order.symbol, denial.reason, values)
        )
        return denial

    def on_order_submitted(self, order: Order, ts_ns: int) -> None:
        """Count an order that passed and was sent (the frequency and contradiction rules)."""
        self._now = max(self._now, ts_ns)
        self._activity.record(order, ts_ns, self._day(ts_ns))

    def _day(self, ts_ns: int) -> int:
        session = self._monitors.session
        return session if session is not None else ts_ns // NANOS_PER_DAY

    def increasing_orders(self, view: RiskView) -> list[Order]:
        """Working orders that could increase a position (to cancel in REDUCE_ONLY or HALTED).

        Worst case per symbol and side, as ``check`` counts it; exits are kept.
        """
        groups: dict[tuple[str, int], list[Order]] = {}
        for order in view.working_orders():
            groups.setdefault((order.symbol, int(order.side)), []).append(order)
        found: list[Order] = []
        for (symbol, sign), orders in groups.items():
            position = view.portfolio.position(symbol)
            if not reduces(position, position + sign * pending_quantity(orders)):
                found.extend(orders)
        return found

    # -- monitors ----------------------------------------------------------------------------
    def on_bar(self, bar: Bar, view: RiskView) -> list[RiskAction]:
        """Run the monitors after ``bar``'s close is the symbol's last price.

        A new ``bar.session`` starts a session: a pending limit change takes effect, the daily
        loss latch of the last session ends, and the session's starting equity is taken.
        """
        if bar.ts > self._now:
            self._now = bar.ts
        monitors = self._monitors
        if monitors.session is None or bar.session > monitors.session:
            if self._pending is not None:
                config, self._pending = self._pending, None
                self._log_config("session", bar.ts, "applied at session start", config)
                self._apply(config)
            ended = self._book.end_session(bar.session, bar.ts)
            if ended is not None:
                self._event(bar.ts, "daily_loss", "warn", "reduce-only of the last session ended")
            monitors.roll_session(bar.session)
        actions: list[RiskAction] = []
        if monitors.kill_switch is not None:
            fired = monitors.kill_switch_fired(bar.ts)
            if fired is None:
                self._kill_handled = False  # cleared (resumed): a later kill fires again
            elif not self._kill_handled:
                self._kill_handled = True
                kill = monitors.kill_actions()
                # Already HALTED (e.g. by the breaker) latches nothing new, but a kill still
                # cancels, flattens and stops.
                actions += self._latch(fired, "kill_switch", kill) or list(kill)
        return actions + self._observe(view, bar.ts, bar.symbol)

    def on_fill(self, fill: Fill, view: RiskView) -> list[RiskAction]:
        """Run the equity monitors after ``fill`` is booked in the portfolio.

        Unprotected positions are checked on bars only: the strategy places its stop in its own
        ``on_fill``, which runs after this.
        """
        self._now = max(self._now, fill.ts)
        return self._observe(view, fill.ts, None)

    def _observe(self, view: RiskView, ts_ns: int, symbol: str | None) -> list[RiskAction]:
        try:
            drawdown, daily, unprotected = self._monitors.observe(view, ts_ns, symbol)
        except Exception as exc:
            return self._blind("equity", exc, ts_ns)
        actions: list[RiskAction] = []
        if drawdown is not None:
            actions += self._latch(drawdown, "drawdown", _BREAKER)
        if daily is not None:
            session = self._monitors.session
            latch = Latch(RiskMode.REDUCE_ONLY, daily.message, "daily_loss", ts_ns, session)
            self._record(daily)
            if self._book.enter(SESSION, latch):
                actions.append(RiskAction.REDUCE_ONLY)
        if unprotected is not None:
            self._record(unprotected)
        return actions

    def _latch(
        self, event: RiskEvent, actor: str, actions: tuple[RiskAction, ...]
    ) -> list[RiskAction]:
        self._record(event)
        latch = Latch(RiskMode.HALTED, event.message, actor, event.ts_ns)
        return list(actions) if self._book.enter(LATCH, latch) else []

    def _blind(self, what: str, exc: Exception, ts_ns: int) -> list[RiskAction]:
        """Fail closed when a monitor cannot see: REDUCE_ONLY for the session."""
        message = f"could not evaluate {what}: {exc!r}; reduce-only for the session"
        latch = Latch(RiskMode.REDUCE_ONLY, message, "risk_engine", ts_ns, self._monitors.session)
        if not self._book.enter(SESSION, latch):
            return []  # already restricted: one event per episode, not one per bar
        self._event(ts_ns, f"{what}_unavailable", "reduce_only", message)
        return [RiskAction.REDUCE_ONLY]

    # -- operator ----------------------------------------------------------------------------
    def halt(
        self, reason: str, actor: str, *, ts_ns: int | None = None, flatten: bool = False
    ) -> list[RiskAction]:
        """Latch HALTED (persisted) on an operator's word; with ``flatten`` close everything."""
        ts = self._now if ts_ns is None else ts_ns
        event = RiskEvent(ts, "operator", "halt", None, f"halted by {actor}: {reason}", {})
        self._record(event)
        latch = Latch(RiskMode.HALTED, reason, actor, ts)
        if not self._book.enter(LATCH, latch):
            return []
        return list(_BREAKER) if flatten else [RiskAction.HALT]

    def reduce_only(self, reason: str, actor: str, *, ts_ns: int | None = None) -> list[RiskAction]:
        """Latch REDUCE_ONLY (persisted) until ``resume``."""
        ts = self._now if ts_ns is None else ts_ns
        self._event(ts, "operator", "reduce_only", f"reduce-only by {actor}: {reason}")
        latch = Latch(RiskMode.REDUCE_ONLY, reason, actor, ts)
        return [RiskAction.REDUCE_ONLY] if self._book.enter(LATCH, latch) else []

    def resume(self, actor: str, confirm: bool, *, ts_ns: int | None = None) -> None:
        """Clear the operator/breaker latch. Needs ``confirm=True`` and a cleared kill switch.

        The drawdown peak restarts from the next equity seen. A daily-loss reduce-only stays
        until its session ends (raise the limit with ``update_config(force=True)`` instead).
        """
        if not confirm:
            raise ValueError(f"resume by {actor}: pass confirm=True to clear the risk latch")
        switch = self._monitors.kill_switch
        if switch is not None and switch.triggered():
            raise ValueError(
                f"resume by {actor}: the kill switch {switch.path} is still triggered; "
                "clear it first"
            )
        ts = self._now if ts_ns is None else ts_ns
        cleared = self._book.clear(LATCH, actor, ts, "resumed")
        if cleared is not None:
            self._monitors.after_resume()
            self._event(ts, "resume", "warn", f"{cleared.mode.value} cleared by {actor}")

    def lock_symbol(self, symbol: str, reason: str, actor: str, ts_ns: int) -> bool:
        """Make ``symbol`` reduce-only (persisted) until ``unlock_symbol``; ``"*"``: every symbol.

        Returns False (and logs nothing) when the symbol is already locked: the first reason
        and actor are kept.
        """
        if self._store.symbol_lock(symbol) is not None:
            return False
        change = Change(ts_ns, "symbol_lock", actor, "unlocked", "locked", f"{symbol}: {reason}")
        self._store.set_symbol_lock(symbol, SymbolLock(reason, actor, ts_ns), change)
        self._now = max(self._now, ts_ns)
        message = f"{symbol} locked reduce-only by {actor}: {reason}"
        values: dict[str, Value] = {"reason": reason, "actor": actor}
        self._record(RiskEvent(ts_ns, "symbol_lock", "reduce_only", symbol, message, values))
        return True

    def unlock_symbol(self, symbol: str, actor: str, ts_ns: int) -> bool:
        """Lift the lock of ``symbol`` (``"*"``: the account-wide one). False if none was set."""
        old = self._store.symbol_lock(symbol)
        if old is None:
            return False
        change = Change(ts_ns, "symbol_lock", actor, "locked", "unlocked", f"{symbol}: unlocked")
        self._store.set_symbol_lock(symbol, None, change)
        self._now = max(self._now, ts_ns)
        message = f"{symbol} unlocked by {actor} (locked by {old.actor}: {old.reason})"
        values: dict[str, Value] = {"reason": old.reason, "actor": actor, "locked_by": old.actor}
        self._record(RiskEvent(ts_ns, "symbol_unlock", "warn", symbol, message, values))
        return True

    def locked_symbols(self) -> dict[str, str]:
        """Locked symbols (``"*"`` for the whole account) and the reason of each lock."""
        return {symbol: lock.reason for symbol, lock in self._store.symbol_locks().items()}

    def update_config(
        self, new_config: RiskConfig, actor: str, ts_ns: int, force: bool = False
    ) -> None:
        """Change the limits at the next session boundary, or now with ``force``. Logged."""
        if force:
            self._pending = None
            self._log_config(actor, ts_ns, "forced: effective now", new_config)
            self._apply(new_config)
        else:
            self._pending = new_config
            self._log_config(actor, ts_ns, "effective at the next session", new_config)

    def _log_config(self, actor: str, ts_ns: int, reason: str, new: RiskConfig) -> None:
        old = self._config.model_dump_json()
        self._store.record(Change(ts_ns, "config", actor, old, new.model_dump_json(), reason))
        self._event(ts_ns, "config_change", "warn", f"risk limits changed by {actor}: {reason}")

    # -- reporting ---------------------------------------------------------------------------
    def _event(self, ts_ns: int, rule: str, severity: Severity, message: str) -> None:
        self._record(RiskEvent(ts_ns, rule, severity, None, message, {}))

    def _record(self, event: RiskEvent) -> None:
        self._stats[event.rule] += 1
        self._events.append(event)

    def events(self) -> list[RiskEvent]:
        """Every denial, warning and mode change not yet drained, oldest first."""
        return list(self._events)

    def drain_events(self) -> list[RiskEvent]:
        """Return and forget the events (the engine drains them into the audit trail)."""
        events, self._events = self._events, []
        return events

    def stats(self) -> dict[str, int]:
        """How often each rule fired (denials and monitor events), by rule name."""
        return dict(self._stats)
