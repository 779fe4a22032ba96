"""`quantrail paper`: a paper session on replayed data, with a compact status line."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from quantrail.config import load_run_config
from quantrail.engine.paper import run_paper

__all__ = ["paper_command"]


def paper_command(
    config_path: Path, replay: Path | None, speed: float, out: Path, overrides: list[str]
) -> None:
    loaded = load_run_config(config_path, overrides)
    console = Console(soft_wrap=True)
    run_paper(
        loaded.config, replay=replay, speed=speed, out_dir=out,
        status=lambda line: console.print(line, highlight=False),
    )  # fmt: skip
    console.print(f"run folder: {out}")
