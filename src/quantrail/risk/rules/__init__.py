"""Pre-trade rules and monitors, one per module, each with its frozen config beside it."""
