"""Credentials and settings of the Alpaca adapter.

Credentials come from the environment (``APCA_API_KEY_ID``, ``APCA_API_SECRET_KEY``, the names
alpaca-py and Alpaca's documentation use), never from a config file, and are never logged: the
secret is excluded from ``repr`` and no message of the adapter contains either value. The one
exception is an explicit test key, which only talks to an overridden URL (the emulator).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from quantrail.core.errors import ConfigError
from quantrail.oms.retry import OnUnavailable, RetryRule

__all__ = ["KEY_ENV", "SECRET_ENV", "AlpacaCredentials", "AlpacaSettings"]

KEY_ENV = "APCA_API_KEY_ID"
SECRET_ENV = "APCA_API_SECRET_KEY"


@dataclass(frozen=True, slots=True)
class AlpacaCredentials:
    """An API key pair; build it with :meth:`from_env` (or :meth:`test_key` in tests).

    ``origin`` says where it came from: the adapter refuses a ``"test"`` key unless every URL
    is overridden, so a test key can never reach a real account.
    """

    key_id: str = field(repr=False)
    secret_key: str = field(repr=False)
    origin: Literal["env", "test"]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlpacaCredentials:
        """Read the key pair from the environment.

        Raises
        ------
        ConfigError
            When either variable is missing or empty (the message names the variables only).
        """
        env = os.environ if environ is None else environ
        key, secret = env.get(KEY_ENV, ""), env.get(SECRET_ENV, "")
        if not key or not secret:
            missing = [name for name, v in ((KEY_ENV, key), (SECRET_ENV, secret)) if not v]
            raise ConfigError(
                f"Alpaca credentials missing: set {' and '.join(missing)} in the environment"
            )
        return cls(key, secret, "env")

    @classmethod
    def test_key(
        cls, key_id: str = "test-key", secret_key: str = "test-secret"
    ) -> AlpacaCredentials:
        """A key for the emulator; usable only with overridden REST and stream URLs."""
        return cls(key_id, secret_key, "test")


@dataclass(frozen=True)
class AlpacaSettings:
    """How the adapter talks to Alpaca.

    Parameters
    ----------
    paper : bool
        Alpaca's paper endpoints (default) or the live ones; ignored for an overridden URL.
    rest_url, stream_url : str, optional
        Overrides (the emulator's ``rest_url`` and ``stream_url``); both or neither.
    request_timeout : float
        Seconds a REST call may take. alpaca-py sets none, and without one a lost answer would
        block forever instead of becoming an ambiguous call.
    poll_interval : float
        Seconds between order-status polls while the trade-updates stream is down.
    consistency_window : float
        Seconds after a submit during which "not found" by client order id is not believed
        (``resolve_ambiguous``'s window).
    reconnect : RetryRule
        Backoff between stream reconnects (only its delays are used; it retries forever).
    policy : mapping, optional
        Replaces ``oms.retry.RETRY_POLICY`` (tests shorten the waits with it).
    """

    paper: bool = True
    rest_url: str | None = None
    stream_url: str | None = None
    request_timeout: float = 10.0
    poll_interval: float = 2.0
    consistency_window: float = 5.0
    reconnect: RetryRule = field(
        default_factory=lambda: RetryRule(OnUnavailable.RETRY, base_delay=0.5, max_delay=30.0)
    )
    policy: Mapping[str, RetryRule] | None = None

    def __post_init__(self) -> None:
        if (self.rest_url is None) != (self.stream_url is None):
            raise ConfigError("alpaca: override rest_url and stream_url together, or neither")
        for name in ("request_timeout", "poll_interval"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"alpaca.{name} must be > 0, was {getattr(self, name)}")
        if self.consistency_window < 0:
            raise ConfigError("alpaca.consistency_window must be >= 0")

    @property
    def overridden(self) -> bool:
        return self.rest_url is not None
