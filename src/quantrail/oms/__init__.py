"""Order management: ids, the state machine, linked orders, reconciliation."""

from quantrail.oms.manager import OrderManager

__all__ = ["OrderManager"]
