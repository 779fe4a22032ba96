"""`quantrail emulator`: run the venue emulator in the foreground until Ctrl-C."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import typer

from quantrail.core.errors import ConfigError
from quantrail.emulator import FaultPlan, MarketScript, VenueEmulator, infer_symbol

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


def emulator_command(
    host: str,
    port: int,
    data_files: Sequence[str],
    *,
    faults: FaultPlan | None = None,
    max_page_size: int | None = None,
    replay_pace: float | None = None,
) -> None:
    """Serve ``data_files`` (``SYMBOL=path`` or a bundled file name) until interrupted.

    Prints the URLs to give alpaca-py (``url_override``) and the ccxt config for Binance.
    ``faults`` is a :class:`~quantrail.emulator.FaultPlan` built from the CLI options.
    """
    try:
        script = MarketScript.from_files(parse_data_files(data_files), replay_pace=replay_pace)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot load emulator data: {exc}", path="--data") from exc
    emulator = VenueEmulator(script, faults, host=host, port=port, max_page_size=max_page_size)

    async def serve() -> None:
        async with emulator as emu:
            typer.echo(f"symbols:              {', '.join(script.symbols) or '(none)'}")
            typer.echo(f"alpaca REST:          {emu.alpaca_rest_url}")
            typer.echo(f"alpaca stock stream:  {emu.alpaca_stream_url}")
            typer.echo(f"alpaca crypto stream: {emu.alpaca_crypto_stream_url}")
            typer.echo(f"ccxt {emu.ccxt_exchange_id} config:  {json.dumps(emu.ccxt_config())}")
            typer.echo("Ctrl-C to stop.")
            await asyncio.Event().wait()  # serve until cancelled by Ctrl-C

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        typer.echo("emulator stopped")
