"""Broker adapters: the ``ExecutionVenue`` port for real venues (docs/adapters.md)."""

from quantrail.execution.adapters.alpaca import AlpacaExecution, AlpacaStats
from quantrail.execution.adapters.alpaca_settings import (
    KEY_ENV,
    SECRET_ENV,
    AlpacaCredentials,
    AlpacaSettings,
)
from quantrail.execution.adapters.base import AdapterListener, VenueAdapter

__all__ = [
    "KEY_ENV",
    "SECRET_ENV",
    "AdapterListener",
    "AlpacaCredentials",
    "AlpacaExecution",
    "AlpacaSettings",
    "AlpacaStats",
    "VenueAdapter",
]
