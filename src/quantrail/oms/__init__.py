"""Order management: ids, the state machine, linked orders, ambiguous calls, reconciliation.

Everything here is venue-independent and pure apart from the ``OrderManager``'s own state: the
engine performs the venue calls and applies the decisions (see docs/oms.md).
"""

from quantrail.oms.ambiguous import Resolution, ResolutionKind, apply_resolution, resolve_ambiguous
from quantrail.oms.anomaly import AmbiguousCall, Anomaly, Operation
from quantrail.oms.books import ACCOUNT, LocalBook, LocalOrder, Tolerances, VenueBook, local_book
from quantrail.oms.linked import ChildIntent, LinkDecision, LinkRole, OrderLinks
from quantrail.oms.manager import OrderManager
from quantrail.oms.policy import (
    CommandAction,
    CommandDecision,
    HeldCommand,
    Release,
    decide_command,
    release_held,
)
from quantrail.oms.reconcile import (
    Action,
    ActionKind,
    Break,
    BreakKind,
    ReconcileResult,
    reconcile,
)
from quantrail.oms.reports import VenueFillReport, VenueOrderReport, fill_from_report
from quantrail.oms.retry import (
    RETRY_POLICY,
    CallOutcome,
    CallResult,
    OnUnavailable,
    RetryRule,
    call_with_policy,
)

__all__ = [
    "ACCOUNT",
    "RETRY_POLICY",
    "Action",
    "ActionKind",
    "AmbiguousCall",
    "Anomaly",
    "Break",
    "BreakKind",
    "CallOutcome",
    "CallResult",
    "ChildIntent",
    "CommandAction",
    "CommandDecision",
    "HeldCommand",
    "LinkDecision",
    "LinkRole",
    "LocalBook",
    "LocalOrder",
    "OnUnavailable",
    "Operation",
    "OrderLinks",
    "OrderManager",
    "ReconcileResult",
    "Release",
    "Resolution",
    "ResolutionKind",
    "RetryRule",
    "Tolerances",
    "VenueBook",
    "VenueFillReport",
    "VenueOrderReport",
    "apply_resolution",
    "call_with_policy",
    "decide_command",
    "fill_from_report",
    "local_book",
    "reconcile",
    "release_held",
    "resolve_ambiguous",
]
