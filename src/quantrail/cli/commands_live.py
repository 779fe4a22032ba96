"""Venue and operations commands: emulator, feed, paper, status, kill, resume."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from quantrail.cli.app import ConfigArg, OutOption, SetOption, app
from quantrail.cli.emulator_cmd import emulator_command
from quantrail.cli.feed_cmd import feed_command
from quantrail.cli.paper_cmd import paper_command
from quantrail.cli.risk_cmd import kill_command, resume_command
from quantrail.cli.status_cmd import status_command
from quantrail.emulator import FaultPlan

__all__: list[str] = []

ConfigOpt = Annotated[
    Path | None, typer.Argument(help="Run config whose risk.kill_switch.path to use.")
]
FileOpt = Annotated[Path | None, typer.Option("--file", help="The sentinel file itself.")]


@app.command("emulator")
def emulator(
    data: Annotated[
        list[str], typer.Argument(help="SYMBOL=path or a bundled file name, e.g. SPY=data/x.csv")
    ],
    host: Annotated[str, typer.Option(help="Address to bind (loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8765,
    drop_after: Annotated[int | None, typer.Option(help="Drop a socket after N messages.")] = None,
    stall_after: Annotated[int | None, typer.Option(help="Stall after N messages.")] = None,
    stall_seconds: Annotated[float, typer.Option(help="How long a stall lasts.")] = 0.0,
    duplicate_every: Annotated[int | None, typer.Option(help="Send every k-th twice.")] = None,
    reorder_every: Annotated[int | None, typer.Option(help="Swap every k-th pair.")] = None,
    rate_limit: Annotated[float | None, typer.Option(help="REST requests per second.")] = None,
    reject: Annotated[list[str] | None, typer.Option(help="Symbols to refuse.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of random faults.")] = 0,
    trading: Annotated[bool, typer.Option(help="Also serve Alpaca's trading API.")] = False,
    state: Annotated[
        Path | None, typer.Option(help="Trading state file: a restart forgets nothing.")
    ] = None,
    cash: Annotated[float, typer.Option(help="Starting cash of the trading account.")] = 100_000,
    pace: Annotated[
        float | None, typer.Option(help="Seconds per replayed bar (default: on command).")
    ] = None,
) -> None:
    """Run the local venue emulator (Alpaca data, Binance spot) with injected faults."""
    faults = FaultPlan(
        drop_after=drop_after, stall_after=stall_after, stall_seconds=stall_seconds,
        duplicate_every=duplicate_every, reorder_every=reorder_every, rate_limit=rate_limit,
        reject_symbols=frozenset(reject or ()), seed=seed,
    )  # fmt: skip
    emulator_command(
        host, port, data, faults=faults, trading=trading, state_path=state, cash=cash,
        bar_pace=pace,
    )  # fmt: skip


@app.command("feed")
def feed(
    source: Annotated[str, typer.Argument(help="alpaca, binance, or replay")],
    symbols: Annotated[list[str] | None, typer.Argument(help="Symbols to subscribe to.")] = None,
    record: Annotated[Path | None, typer.Option(help="Record every message (JSONL).")] = None,
    url: Annotated[str | None, typer.Option(help="Venue URL override (e.g. the emulator).")] = None,
    replay: Annotated[Path | None, typer.Option(help="Play a recording or a bar file.")] = None,
    speed: Annotated[float, typer.Option(help="Replay speed multiplier.")] = 1.0,
    limit: Annotated[int | None, typer.Option(help="Stop after N events.")] = None,
) -> None:
    """Stream live trades (reconnecting, gap-backfilled) or replay a recording."""
    feed_command(source, symbols or [], record, url, replay, speed, limit)


@app.command("paper")
def paper(
    config: ConfigArg,
    replay: Annotated[
        Path | None, typer.Option(help="Bar file to replay instead of the config's data.")
    ] = None,
    speed: Annotated[float, typer.Option(help="Market time per wall second (0: no pause).")] = 60.0,
    set_: SetOption = None,
    out: OutOption = Path("runs/paper"),
) -> None:
    """Paper-trade the config against the simulated venue on replayed data."""
    paper_command(config, replay, speed, out, set_ or [])


@app.command("status")
def status(
    store: Annotated[
        str, typer.Argument(help="State store URL: sqlite:///state.sqlite or postgresql://...")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Positions, working orders, stream markers, latency and risk mode from the state store."""
    status_command(store, as_json)


@app.command("kill")
def kill(
    config: ConfigOpt = None,
    file: FileOpt = None,
    reason: Annotated[str, typer.Option(help="Why.")] = "operator kill",
    actor: Annotated[str, typer.Option(help="Who.")] = "operator",
) -> None:
    """Pull the kill switch: cancel working orders, flatten, latch HALTED, stop."""
    kill_command(config, file, reason, actor)


@app.command("resume")
def resume(
    config: ConfigOpt = None,
    file: FileOpt = None,
    actor: Annotated[str, typer.Option(help="Who clears it.")] = "operator",
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Clear the kill switch and the persisted HALTED latch (asks for confirmation)."""
    resume_command(config, file, actor, yes)
