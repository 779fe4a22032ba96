"""`quantrail status`: positions, working orders, markers, latency and risk mode from the
durable state store, read without migrating or locking it."""

from __future__ import annotations

import json

import typer

from quantrail.store.state import StateStore, status_report

__all__ = ["status_command"]


def status_command(url: str, as_json: bool) -> None:
    store = StateStore.open(url, migrate=False)
    try:
        report = status_report(store)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(report, indent=2, sort_keys=True, default=str))
        return
    for key, value in report.items():
        typer.echo(f"{key}: {json.dumps(value, sort_keys=True, default=str)}")
