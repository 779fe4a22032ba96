"""`feed_command`: live from the emulator with a recording, then the recording replayed."""

from __future__ import annotations

from pathlib import Path

import pytest

from quantrail.cli.feed_cmd import feed_command, format_event
from quantrail.core.bar import Bar
from quantrail.core.errors import ConfigError
from quantrail.data.feeds import Quote, Trade
from quantrail.emulator import VenueEmulator

from .emuhelp import T0, history, script


def test_live_alpaca_feed_is_printed_and_recorded_then_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APCA_API_KEY_ID", "key")
    monkeypatch.setenv("APCA_API_SECRET_KEY", "secret")
    market = script(history("AAPL", 5))
    market.replay_pace = 0.001  # each subscription replays the trades on its own
    recording = tmp_path / "rec.jsonl"
    with VenueEmulator.start_in_thread(script=market) as emu:
        feed_command("alpaca", ["AAPL"], recording, emu.alpaca_rest_url, None, 1.0, limit=5)
    live = capsys.readouterr()
    lines = live.out.splitlines()
    assert len(lines) == 5
    assert lines[0] == "trade AAPL 2024-01-02T14:30:01+00:00 100.01 x 1.0 id=1"
    assert "trades_emitted=5" in live.err

    feed_command("", [], None, None, recording, 0.0)
    assert capsys.readouterr().out.splitlines() == lines


def test_event_lines_and_bad_arguments(tmp_path: Path) -> None:
    assert format_event(Quote("A", T0, 1.0, 1.5, 2.0, 3.0)) == (
        "quote A 2024-01-02T14:30:00+00:00 2.0 @ 1.0 / 1.5 x 3.0"
    )
    bar = Bar("A", T0, T0 - 60_000_000_000, 1.0, 2.0, 0.5, 1.5, 10.0)
    assert format_event(bar) == "bar A 2024-01-02T14:30:00+00:00 o=1.0 h=2.0 l=0.5 c=1.5 v=10.0"
    assert format_event(Trade("A", T0, 1.0, 2.0)) == "trade A 2024-01-02T14:30:00+00:00 1.0 x 2.0"
    with pytest.raises(ConfigError, match="unknown source"):
        feed_command("nasdaq", ["A"], None, None, None, 1.0)
    with pytest.raises(ConfigError, match="cannot be combined"):
        feed_command("alpaca", ["A"], tmp_path / "a", None, tmp_path / "b", 1.0)
    with pytest.raises(ConfigError, match="ccxt:binance only"):
        feed_command("ccxt:kraken", ["A"], None, "http://127.0.0.1:1", None, 1.0)
