"""`quantrail emulator --trading` as a real process, traded against with alpaca-py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA

from .helpers import TradingClient


def test_emulator_command_serves_the_trading_api(tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).parent / "quantrail"), "emulator",
        str(DATA / "equity_daily_SPY.csv"), "--port", "0", "--trading", "--cash", "50000",
        "--state", str(tmp_path / "trading.json"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        rest = ""
        for _ in range(20):
            line = process.stdout.readline()
            if line.startswith("alpaca REST:"):
                rest = line.split()[-1]
            if line.startswith("Ctrl-C"):
                break
        assert rest.startswith("http://127.0.0.1:")
        client = TradingClient("key", "secret", url_override=rest)
        account = client.get_account()
        assert float(account.cash) == 50_000  # type: ignore[union-attr]
        client._session.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
