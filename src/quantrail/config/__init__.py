"""Loading YAML and environment into the typed configs that live beside each component."""

from quantrail.config.loader import (
    LoadedConfig,
    apply_override,
    load_run_config,
    parse_config,
    run_config_schema,
)

__all__ = [
    "LoadedConfig",
    "apply_override",
    "load_run_config",
    "parse_config",
    "run_config_schema",
]
