"""`download_command`: pages into a CSV or Parquet file, appended without duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from quantrail.cli.download_cmd import download_command
from quantrail.cli.emulator_cmd import parse_data_files
from quantrail.data.download import Checkpoint
from quantrail.emulator import EmulatorHandle, MarketScript, VenueEmulator

from .conftest import BTC_MINUTE, SPY_DAILY, read_source


@pytest.fixture
def venue(script: MarketScript) -> Iterator[EmulatorHandle]:
    with VenueEmulator.start_in_thread(script=script, max_page_size=300) as emu:
        yield emu


class Killed(Exception):
    pass


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_crash_between_write_and_checkpoint_leaves_no_duplicates(
    venue: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    out = tmp_path / f"btc{suffix}"
    real_save = Checkpoint.save
    saves: list[int] = []

    def save_then_die(self: Checkpoint, path: Path) -> None:
        saves.append(self.pages)
        if len(saves) == 3:
            raise Killed  # page 3 is in the file, its checkpoint is not
        real_save(self, path)

    monkeypatch.setattr(Checkpoint, "save", save_then_die)
    args = ("binance", "BTC/USD", "1min", "2018-04-04", "2018-04-06", out)
    with pytest.raises(Killed):
        download_command(*args, venue_url=f"http://127.0.0.1:{venue.port}", page_size=300)
    monkeypatch.setattr(Checkpoint, "save", real_save)
    download_command(*args, venue_url=f"http://127.0.0.1:{venue.port}", page_size=300)

    got = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    got["timestamp"] = pd.to_datetime(got["timestamp"], utc=True, format="ISO8601")
    got["timestamp"] = got["timestamp"].dt.as_unit("ns")
    pd.testing.assert_frame_equal(got, read_source(BTC_MINUTE))
    assert Checkpoint.load(out.with_name(out.name + ".checkpoint.json")).complete  # type: ignore[union-attr]


def test_alpaca_download_command_writes_iso_timestamps(
    venue: EmulatorHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("APCA_API_KEY_ID", "k")
    monkeypatch.setenv("APCA_API_SECRET_KEY", "s")
    out = tmp_path / "spy.csv"
    download_command(
        "alpaca", "SPY", "1d", "2008-01-01", "2008-02-01", out, venue_url=venue.alpaca_rest_url
    )
    assert out.read_text().splitlines()[1].startswith("2008-01-02T05:00:00+00:00,146.529999")
    assert "SPY: 21 bars in 1 pages" in capsys.readouterr().out
    source = read_source(SPY_DAILY)
    assert (
        len(pd.read_csv(out))
        == ((source.timestamp >= "2008-01-01") & (source.timestamp < "2008-02-01")).sum()
    )


def test_data_files_name_their_symbols() -> None:
    files = parse_data_files(
        [
            "data/equity_daily_SPY.csv",
            "data/crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv",
            "BTC/USD=data/quote_minute_BTCUSD_2018-04-04_2018-04-05.csv",
        ]
    )
    assert files == {
        "SPY": ["data/equity_daily_SPY.csv"],
        "BTC/USD": [
            "data/crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv",
            "data/quote_minute_BTCUSD_2018-04-04_2018-04-05.csv",
        ],
    }


def test_download_into_the_bar_store_resumes_without_duplicates(
    venue: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quantrail.cli.main import main
    from quantrail.data.store import open_store

    store = f"duckdb:///{tmp_path / 'bars.duckdb'}"
    checkpoint = tmp_path / "btc.checkpoint.json"
    args = ["data", "download", "binance", "BTC/USD", "--start", "2018-04-04", "--end",
            "2018-04-06", "--store", store, "--checkpoint", str(checkpoint),
            "--venue-url", f"http://127.0.0.1:{venue.port}", "--page-size", "300"]  # fmt: skip
    real_save = Checkpoint.save
    saves: list[int] = []

    def save_then_die(self: Checkpoint, path: Path) -> None:
        saves.append(self.pages)
        if len(saves) == 2:
            raise Killed
        real_save(self, path)

    monkeypatch.setattr(Checkpoint, "save", save_then_die)
    with pytest.raises(Killed):
        main(args)
    monkeypatch.setattr(Checkpoint, "save", real_save)
    assert main(args) == 0
    with open_store(store) as opened:
        series = opened.list()
    expected = read_source(BTC_MINUTE)
    assert [(s.symbol, s.rows) for s in series] == [("BTC/USD", len(expected))]
