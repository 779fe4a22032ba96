"""quantrail: research to live trading without a rewrite."""

__version__ = "0.1.0"
