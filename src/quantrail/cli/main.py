"""The ``quantrail`` command. Subcommands parse arguments and call one function each.

The commands live in ``commands_*`` modules by area and register onto ``cli.app.app``.
"""

from __future__ import annotations

import sys

import typer

from quantrail.cli import commands_core, commands_data, commands_live, commands_research
from quantrail.cli.app import app, err_console
from quantrail.core.errors import QuantrailError

__all__ = ["app", "main", "run"]

_REGISTERED = (commands_core, commands_data, commands_live, commands_research)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map quantrail errors to exit codes with a one-line message."""
    try:
        result = app(args=argv, standalone_mode=False)
    except QuantrailError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return 130
    except typer.TyperException as exc:  # usage errors arrive here in non-standalone mode
        err_console.print(f"[bold red]usage:[/] {exc.format_message()}", highlight=False)
        return exc.exit_code
    # In non-standalone mode a command's typer.Exit(code) comes back as the return value.
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
