"""A local emulator of trading venues (market data and orders) with fault injection."""
