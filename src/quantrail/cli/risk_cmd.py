"""`quantrail kill` and `quantrail resume`: the operator's hands on the kill switch and latch."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from quantrail.config import load_run_config
from quantrail.core.errors import ConfigError
from quantrail.risk import KillSwitch, RiskConfig, RiskEngine, RiskMode, RiskStateStore

__all__ = ["kill_command", "resume_command"]


def _switch(config: Path | None, file: Path | None) -> tuple[KillSwitch, RiskConfig | None]:
    if file is not None:
        return KillSwitch(file), None
    if config is None:
        raise ConfigError("give a run config (its risk.kill_switch.path) or --file")
    risk = load_run_config(config).config.risk
    if risk.kill_switch.path is None:
        raise ConfigError(
            "the config has no kill switch: set risk.kill_switch.path", path="risk.kill_switch.path"
        )
    return KillSwitch(risk.kill_switch.path), risk


def kill_command(config: Path | None, file: Path | None, reason: str, actor: str) -> None:
    """Create the sentinel file: a running engine cancels, flattens, halts and stops."""
    switch, _ = _switch(config, file)
    switch.trigger(reason, actor)
    Console().print(f"kill switch set: {switch.path} (by {actor}: {reason})")


def resume_command(config: Path | None, file: Path | None, actor: str, yes: bool) -> None:
    """Clear the sentinel and the persisted HALTED latch, after confirmation."""
    switch, risk_config = _switch(config, file)
    if not yes and not typer.confirm(f"Clear the kill switch {switch.path} and resume trading?"):
        raise typer.Abort()
    switch.clear()
    console = Console()
    console.print(f"kill switch cleared: {switch.path} (by {actor})")
    if risk_config is not None and risk_config.state_path is not None:
        risk = RiskEngine(risk_config, RiskStateStore(risk_config.state_path))
        if risk.mode is not RiskMode.ACTIVE:
            risk.resume(actor, confirm=True)
        console.print(f"risk mode: {risk.mode.value} (state {risk_config.state_path})")
