"""Raw venue payloads to normalised events. Pure functions: live adapters and replay share them.

Kept apart from the adapters so that replaying a recording needs no venue library.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from quantrail.core.errors import DataError
from quantrail.core.time import NANOS_PER_SECOND
from quantrail.data.feeds.events import Quote, Trade, trade_from_dict

__all__ = [
    "PARSERS",
    "Parser",
    "parse_alpaca",
    "parse_ccxt",
    "parse_normalised",
    "parse_rfc3339_ns",
    "parser_for",
]

Parser = Callable[[Any], Sequence[Trade | Quote]]

_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$"
)


def parse_rfc3339_ns(text: str) -> int:
    """UTC nanoseconds of an RFC 3339 time with up to nanosecond digits (Alpaca's ``t``).

    ``datetime`` stops at microseconds, so the fraction is parsed separately.

    Raises
    ------
    ValueError
        When ``text`` is not RFC 3339 with a ``Z`` or ``±hh:mm`` offset.
    """
    match = _RFC3339.match(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    base, fraction, zone = match.groups()
    offset = "+00:00" if zone == "Z" else zone
    seconds = int(dt.datetime.fromisoformat(base + offset).timestamp())
    return seconds * NANOS_PER_SECOND + int((fraction or "").ljust(9, "0"))


def _alpaca_ts(value: Any) -> int:
    if isinstance(value, str):
        return parse_rfc3339_ns(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # already nanoseconds (a recording written from msgpack timestamps)
    raise ValueError(f"unsupported timestamp {value!r}")


def parse_alpaca(payload: Any) -> list[Trade | Quote]:
    """One message of Alpaca's market-data stream (``T`` = ``t`` trade, ``q`` quote).

    Control messages (``success``, ``subscription``, ``error``) and channels quantrail does not
    use give an empty list. Alpaca trade ids are integers unique per symbol and venue.

    Raises
    ------
    DataError
        A trade or quote lacks a field or has an unreadable value.
    """
    if not isinstance(payload, Mapping):
        return []
    kind = payload.get("T")
    try:
        if kind == "t":
            trade_id = payload.get("i")
            return [
                Trade(
                    symbol=str(payload["S"]),
                    ts_ns=_alpaca_ts(payload["t"]),
                    price=float(payload["p"]),
                    size=float(payload["s"]),
                    trade_id=None if trade_id is None else str(trade_id),
                )
            ]
        if kind == "q":
            return [
                Quote(
                    symbol=str(payload["S"]),
                    ts_ns=_alpaca_ts(payload["t"]),
                    bid=float(payload["bp"]),
                    ask=float(payload["ap"]),
                    bid_size=float(payload["bs"]),
                    ask_size=float(payload["as"]),
                )
            ]
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"malformed alpaca message {dict(payload)!r}: {exc}") from exc
    return []


def parse_ccxt(payload: Any) -> list[Trade | Quote]:
    """One unified ccxt trade dict (``symbol``, ``timestamp`` in ms, ``price``, ``amount``, ``id``).

    Raises
    ------
    DataError
        The trade lacks a field or has an unreadable value.
    """
    if not isinstance(payload, Mapping):
        return []
    try:
        trade_id = payload.get("id")
        return [
            Trade(
                symbol=str(payload["symbol"]),
                ts_ns=int(payload["timestamp"]) * 1_000_000,
                price=float(payload["price"]),
                size=float(payload["amount"]),
                trade_id=None if trade_id is None else str(trade_id),
            )
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"malformed ccxt trade {dict(payload)!r}: {exc}") from exc


def parse_normalised(payload: Any) -> list[Trade | Quote]:
    """A trade already in quantrail's dict form (``symbol``, ``ts_ns``, ``price``...)."""
    if not isinstance(payload, Mapping):
        return []
    if "bid" in payload:
        return [Quote(**{k: payload[k] for k in Quote.__dataclass_fields__})]
    return [trade_from_dict(dict(payload))]


PARSERS: dict[str, Parser] = {
    "alpaca": parse_alpaca,
    "ccxt": parse_ccxt,
    "normalised": parse_normalised,
}
"""Parser per source family; a source ``"ccxt:binance"`` uses the ``"ccxt"`` entry."""


def parser_for(source: str, parsers: Mapping[str, Parser] | None = None) -> Parser:
    """The parser for a recorded ``source`` (exact name first, then its family before ``:``).

    Raises
    ------
    DataError
        No parser is registered for the source.
    """
    table = PARSERS if parsers is None else parsers
    found = table.get(source) or table.get(source.split(":", 1)[0])
    if found is None:
        raise DataError(f"no parser for recorded source {source!r}; known: {sorted(table)}")
    return found
