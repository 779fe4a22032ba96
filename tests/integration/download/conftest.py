"""The download tests reuse the emulator tests' data helpers."""

from tests.integration.emulator.conftest import (  # noqa: F401
    BTC_MINUTE,
    SPY_DAILY,
    read_source,
    script,
)
