"""Load a run config from YAML, apply ``--set`` overrides, validate it into a RunConfig.

Every error names the YAML path of the offending field (``data[0].frequency``), so a user can
find it in their file; unknown keys are refused, never ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from quantrail.core.errors import ConfigError
from quantrail.engine.config import RunConfig

__all__ = [
    "LoadedConfig",
    "apply_override",
    "format_location",
    "load_run_config",
    "parse_config",
    "run_config_schema",
]


@dataclass(frozen=True)
class LoadedConfig:
    config: RunConfig
    text: str  # the YAML as given, with the overrides noted, for the report
    base_dir: Path  # relative data paths are looked up here first, then in the working directory


def format_location(location: tuple[int | str, ...]) -> str:
    out = ""
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def apply_override(document: dict[str, Any], assignment: str) -> None:
    """Apply ``a.b.c=value`` (value parsed as YAML, so 10 is an int and [1,2] a list)."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ConfigError(
            f"--set expects KEY=VALUE (e.g. strategy.params.fast=10), got {assignment!r}"
        )
    parts = key.strip().split(".")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"--set {key}: cannot parse value {raw!r}: {exc}") from exc
    node: Any = document
    for i, part in enumerate(parts[:-1]):
        node = _child(node, part, ".".join(parts[: i + 1]))
    last = parts[-1]
    if isinstance(node, list):
        node[_index(node, last, key)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ConfigError(f"--set {key}: {'.'.join(parts[:-1])} is not a mapping")


def _index(node: list[Any], part: str, where: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise ConfigError(f"--set {where}: {part!r} is not an index of a list of {len(node)}")
    return int(part)


def _child(node: Any, part: str, where: str) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, where)]
    if not isinstance(node, dict):
        raise ConfigError(f"--set: {where} is not a mapping")
    if part not in node or node[part] is None:
        node[part] = {}
    return node[part]


def parse_config(document: object, source: str = "config") -> RunConfig:
    if not isinstance(document, dict):
        raise ConfigError(f"{source}: the top level must be a mapping with data, strategy, ...")
    try:
        return RunConfig.model_validate(document)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = format_location(tuple(error["loc"])) or "(top level)"
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown key (check the spelling; see docs/configuration.md)"
            lines.append(f"{where}: {message}")
        first = format_location(tuple(exc.errors()[0]["loc"]))
        raise ConfigError(f"{source}: invalid config\n  " + "\n  ".join(lines), path=None) from (
            ConfigError(lines[0], path=first)
        )


def _resolve(path: Path | None, base_dir: Path) -> Path | None:
    if path is None or path.is_absolute():
        return path
    beside_config = base_dir / path
    if beside_config.exists() or not (Path.cwd() / path).exists():
        return beside_config
    return Path.cwd() / path


def resolve_data_paths(config: RunConfig, base_dir: Path) -> RunConfig:
    """Make data paths absolute: beside the config file if the file is there, else from the
    working directory (so ``path: data/x.csv`` works from the repository root)."""
    data = [
        d.model_copy(
            update={
                "path": _resolve(d.path, base_dir),
                "quotes_path": _resolve(d.quotes_path, base_dir),
                "actions_path": _resolve(d.actions_path, base_dir),
            }
        )
        for d in config.data
    ]
    return config.model_copy(update={"data": data})


def load_run_config(path: Path, overrides: list[str] | None = None) -> LoadedConfig:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    for assignment in overrides or []:
        if not isinstance(document, dict):
            break
        apply_override(document, assignment)
    config = resolve_data_paths(parse_config(document, str(path)), path.resolve().parent)
    if overrides:
        text += "\n# overrides: " + " ".join(overrides) + "\n"
    return LoadedConfig(config=config, text=text, base_dir=path.resolve().parent)


def run_config_schema() -> str:
    """The JSON Schema of a run config, generated from the component config classes."""
    return json.dumps(RunConfig.model_json_schema(), indent=2, sort_keys=True) + "\n"
