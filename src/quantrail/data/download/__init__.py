"""Historical bar downloads from Alpaca (alpaca-py) and ccxt exchanges, resumable.

Typical use::

    result = download_bars("alpaca", "SPY", "1d", "2020-01-01", "2021-01-01",
                           sink=store.append, checkpoint_path=Path("spy.ckpt.json"))
"""

from quantrail.data.download.alpaca_source import AlpacaSource
from quantrail.data.download.ccxt_source import CcxtSource
from quantrail.data.download.checkpoint import Checkpoint
from quantrail.data.download.download import BarSource, DownloadResult, download_bars, make_source
from quantrail.data.download.frames import BAR_LAYOUT
from quantrail.data.download.retry import RetryPolicy, Throttled

__all__ = [
    "BAR_LAYOUT",
    "AlpacaSource",
    "BarSource",
    "CcxtSource",
    "Checkpoint",
    "DownloadResult",
    "RetryPolicy",
    "Throttled",
    "download_bars",
    "make_source",
]
