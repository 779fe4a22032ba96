"""The kill switch: a sentinel file whose existence stops trading.

A file is the simplest thing an operator, a script or a monitoring system can create from
anywhere (``touch``), and checking it costs one ``stat``. It fails closed: if the file cannot be
checked for any reason other than its absence (permissions, a broken mount), it counts as
triggered. When the risk engine sees it, it latches HALTED in its state store; removing the
file alone does not resume trading, ``RiskEngine.resume`` does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel

__all__ = ["KillSwitch", "KillSwitchConfig"]


class KillSwitchConfig(BaseModel, frozen=True, extra="forbid"):
    """path: the sentinel file the engine polls; ``None`` (the default) has no kill switch.
    flatten: also close every position when it fires (default; else cancel all orders and halt)."""

    path: str | None = None
    flatten: bool = True


class KillSwitch:
    """``triggered()`` is true while the sentinel file at ``path`` exists."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def triggered(self) -> bool:
        try:
            os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError:
            return True  # cannot tell: fail closed
        return True

    def trigger(self, reason: str, actor: str, ts_ns: int | None = None) -> None:
        """Create the sentinel, recording who pulled it and why."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"reason": reason, "actor": actor, "ts_ns": ts_ns})
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(body + "\n", encoding="utf-8")
        os.replace(tmp, self.path)  # atomic: a reader never sees half a file

    def clear(self) -> None:
        """Remove the sentinel (trading stays halted until the risk engine is resumed)."""
        self.path.unlink(missing_ok=True)

    def info(self) -> dict[str, object]:
        """What ``trigger`` recorded; ``{}`` when absent or written by hand (``touch``)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
