"""`quantrail emulator`: run the venue emulator in the foreground until Ctrl-C."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

import typer

from quantrail.core.errors import ConfigError
from quantrail.core.instruments import Instrument
from quantrail.emulator import FaultPlan, MarketScript, TradingSetup, VenueEmulator, infer_symbol
from quantrail.execution import ExecutionConfig, FillSimulator

__all__ = ["emulator_command", "parse_data_files"]


def parse_data_files(data_files: Sequence[str]) -> dict[str, list[str]]:
    """``["SPY=data/x.csv", "data/crypto_minute_BTCUSD_....csv"]`` -> ``{symbol: [paths]}``.

    Without ``SYMBOL=`` the symbol is read from the bundled file-name pattern. A symbol may
    be given several files (bars and quotes).

    Raises
    ------
    ConfigError
        When no symbol can be inferred.
    """
    files: dict[str, list[str]] = {}
    for item in data_files:
        symbol, sep, path = item.partition("=")
        if not sep:
            path = item
            try:
                symbol = infer_symbol(item)
            except ValueError as exc:
                raise ConfigError(str(exc), path="--data") from exc
        files.setdefault(symbol, []).append(path)
    return files


def _trading_setup(
    script: MarketScript, state_path: Path | None, cash: float, bar_pace: float | None
) -> TradingSetup:
    """Alpaca's trading API, filling through the project's own fill simulator.

    The emulator adds no latency of its own (the network is the latency); costs, spread and
    volume cap are the simulator's defaults.
    """
    execution = ExecutionConfig(latency="0s")
    instruments = {s: Instrument(s) for s in script.symbols}
    return TradingSetup(
        matcher=lambda listener, clock: FillSimulator(execution, instruments, listener, clock),
        cash=cash,
        state_path=state_path,
        bar_pace=bar_pace,
    )


def emulator_command(
    host: str,
    port: int,
    data_files: Sequence[str],
    *,
    faults: FaultPlan | None = None,
    max_page_size: int | None = None,
    replay_pace: float | None = None,
    trading: bool = False,
    state_path: Path | None = None,
    cash: float = 100_000.0,
    bar_pace: float | None = None,
) -> None:
    """Serve ``data_files`` (``SYMBOL=path`` or a bundled file name) until interrupted.

    Prints the URLs to give alpaca-py (``url_override``) and the ccxt config for Binance.
    ``faults`` is a :class:`~quantrail.emulator.FaultPlan` built from the CLI options.
    """
    try:
        script = MarketScript.from_files(parse_data_files(data_files), replay_pace=replay_pace)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot load emulator data: {exc}", path="--data") from exc
    setup = _trading_setup(script, state_path, cash, bar_pace) if trading else None
    emulator = VenueEmulator(
        script, faults, host=host, port=port, max_page_size=max_page_size, trading=setup
    )

    async def serve() -> None:
        async with emulator as emu:
            typer.echo(f"symbols:              {', '.join(script.symbols) or '(none)'}")
            typer.echo(f"alpaca REST:          {emu.alpaca_rest_url}")
            typer.echo(f"alpaca stock stream:  {emu.alpaca_stream_url}")
            typer.echo(f"alpaca crypto stream: {emu.alpaca_crypto_stream_url}")
            typer.echo(f"ccxt {emu.ccxt_exchange_id} config:  {json.dumps(emu.ccxt_config())}")
            if setup is not None:
                typer.echo(f"alpaca trade updates: {emu.alpaca_trading_stream_url}")
            typer.echo("Ctrl-C to stop.")
            await asyncio.Event().wait()  # serve until cancelled by Ctrl-C

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        typer.echo("emulator stopped")
