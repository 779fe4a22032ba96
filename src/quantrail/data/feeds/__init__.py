"""Live and replayed market-data feeds: normalised events, resilience, bars, recording.

Typical use::

    feed = ResilientFeed(transport, backfill=rest_backfill, recorder=Recorder(path))
    await feed.subscribe(["AAPL"])
    async with feed:
        async for event in feed.events():
            ...

Venue adapters (``quantrail.data.feeds.alpaca``, ``quantrail.data.feeds.ccxt``) are not
imported here so that using the generic machinery does not load the venue libraries.
See ``docs/feeds.md``.
"""

from quantrail.data.feeds.backoff import Backoff, BackoffPolicy
from quantrail.data.feeds.bars import BarBuilder
from quantrail.data.feeds.events import (
    BackfillFn,
    FeedClient,
    FeedCounters,
    FeedEvent,
    IsOpenFn,
    Quote,
    SleepFn,
    Trade,
    Transport,
    TransportExhausted,
)
from quantrail.data.feeds.parsers import PARSERS, Parser, parse_alpaca, parse_ccxt
from quantrail.data.feeds.pipeline import FeedPipeline
from quantrail.data.feeds.recorder import RecordEntry, Recorder, read_recording
from quantrail.data.feeds.replay import ReplayFeed
from quantrail.data.feeds.replay_transport import ReplayTransport
from quantrail.data.feeds.resilient import RETRYABLE, ResilientFeed
from quantrail.data.feeds.sequencer import TradeSequencer, trade_key
from quantrail.data.feeds.settings import FeedSettings
from quantrail.data.feeds.staleness import StalenessMonitor, always_open

__all__ = [
    "PARSERS",
    "RETRYABLE",
    "BackfillFn",
    "Backoff",
    "BackoffPolicy",
    "BarBuilder",
    "FeedClient",
    "FeedCounters",
    "FeedEvent",
    "FeedPipeline",
    "FeedSettings",
    "IsOpenFn",
    "Parser",
    "Quote",
    "RecordEntry",
    "Recorder",
    "ReplayFeed",
    "ReplayTransport",
    "ResilientFeed",
    "SleepFn",
    "StalenessMonitor",
    "Trade",
    "TradeSequencer",
    "Transport",
    "TransportExhausted",
    "always_open",
    "parse_alpaca",
    "parse_ccxt",
    "read_recording",
    "trade_key",
]
