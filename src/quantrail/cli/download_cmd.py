"""`quantrail data download`: historical bars from a venue into a CSV or Parquet file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import typer

from quantrail.core.errors import ConfigError
from quantrail.data import DataConfig, load_bars, validate_bars
from quantrail.data.download import AlpacaSource, BarSource, CcxtSource, download_bars
from quantrail.data.store import open_store, redact_url
from quantrail.emulator import ccxt_config_for

__all__ = ["FileSink", "StoreSink", "download_command"]


class FileSink:
    """Appends pages to a CSV or Parquet file, dropping bars the file already has.

    The file may hold more than the checkpoint says (a crash after writing a page but before
    saving the checkpoint); bars at or before the file's newest timestamp are skipped, so a
    resumed download never writes a bar twice.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parquet = path.suffix.lower() in (".parquet", ".pq")
        if path.suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise ConfigError("the output must end in .csv or .parquet", path="--out")
        self.last: pd.Timestamp | None = None
        if path.exists() and path.stat().st_size > 0:
            existing = self._read()
            if len(existing):
                self.last = pd.Timestamp(existing["timestamp"].max())

    def _read(self) -> pd.DataFrame:
        frame = pd.read_parquet(self.path) if self.parquet else pd.read_csv(self.path)
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
        return frame

    def __call__(self, page: pd.DataFrame) -> None:
        if self.last is not None:
            page = page[page["timestamp"] > self.last]
        if page.empty:
            return
        if self.parquet:
            # Parquet files cannot be appended to; rewrite (fine at download-page scale).
            old = self._read() if self.path.exists() else page.iloc[:0]
            pd.concat([old, page], ignore_index=True).to_parquet(self.path, index=False)
        else:
            text = page.assign(timestamp=[t.isoformat() for t in page["timestamp"]])
            header = not self.path.exists() or self.path.stat().st_size == 0
            text.to_csv(self.path, mode="a", header=header, index=False)
        self.last = pd.Timestamp(np.max(page["timestamp"]))


class StoreSink:
    """Writes each page into a bar store, through the same loading and validation as a file
    import. A page written again after a crash holds the same bars and is skipped by the
    store's idempotent write; a page that disagrees with stored bars is refused."""

    def __init__(self, store_url: str, symbol: str, frequency: str, asset_class: str) -> None:
        self.store_url = store_url
        # model_validate checks asset_class against the allowed names with a clear error.
        self.config = DataConfig.model_validate(
            {
                "symbol": symbol,
                "path": "page.csv",
                "frequency": frequency,
                "asset_class": asset_class,
            }
        )
        self.inserted = 0
        self.skipped = 0

    def __call__(self, page: pd.DataFrame) -> None:
        if page.empty:
            return
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "page.csv"
            page.assign(timestamp=[t.isoformat() for t in page["timestamp"]]).to_csv(
                path, index=False
            )
            frame = load_bars(self.config.model_copy(update={"path": path}))
        validate_bars(frame).raise_if_fatal()
        with open_store(self.store_url) as store:
            written = store.write(frame)
        self.inserted += written.inserted
        self.skipped += written.skipped


def _source(source: str, venue_url: str | None, page_size: int | None) -> BarSource:
    if source == "alpaca":
        return AlpacaSource(url_override=venue_url, page_size=page_size or 10_000)
    exchange = source.removeprefix("ccxt:")
    # A venue URL for ccxt means a quantrail emulator, the only server we know the shape of.
    config = ccxt_config_for(venue_url) if venue_url else None
    if venue_url and exchange != "binance":
        raise ConfigError("--venue-url with ccxt works for the emulator's binance only")
    return CcxtSource(exchange, config=config, page_size=page_size or 1000)


def download_command(
    source: str,
    symbol: str,
    frequency: str,
    start: str,
    end: str,
    out: Path | None,
    checkpoint: Path | None = None,
    *,
    venue_url: str | None = None,
    page_size: int | None = None,
    store: str | None = None,
    asset_class: str = "crypto",
) -> None:
    """Download bars into ``out`` (CSV or Parquet; appended, deduplicated), resumably.

    ``checkpoint`` defaults to ``<out>.checkpoint.json``; rerunning the same command after an
    interruption resumes there. ``venue_url`` points the source at a quantrail emulator.
    """
    sink: FileSink | StoreSink
    if out is not None and store is None:
        sink = FileSink(out)
        checkpoint = checkpoint or out.with_name(out.name + ".checkpoint.json")
        target = str(out)
    elif store is not None and out is None:
        sink = StoreSink(store, symbol, frequency, asset_class)
        name = f"download_{source}_{symbol}_{frequency}".replace(":", "-").replace("/", "-")
        checkpoint = checkpoint or Path(f"{name}.checkpoint.json")
        target = redact_url(store)
    else:
        raise ConfigError("give exactly one of --out (a file) and --store (a bar store URL)")
    adapter = _source(source, venue_url, page_size)
    try:
        result = download_bars(adapter, symbol, frequency, start, end, sink, checkpoint)
    finally:
        adapter.close()
    how = "resumed, " if result.resumed else ""
    typer.echo(
        f"{symbol}: {result.rows} bars in {result.pages} pages ({how}last bar "
        f"{result.last_bar_start}) -> {target}"
    )
