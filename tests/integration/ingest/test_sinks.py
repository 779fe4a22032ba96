"""Trade sinks on real DuckDB and PostgreSQL: what is stored, errors, and bar frames."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from quantrail.core.bar import Bar
from quantrail.core.errors import ConfigError, DataError
from quantrail.data.feeds import Trade
from quantrail.data.ingest import (
    BatchPolicy,
    DuckDBTradeSink,
    PostgresTradeSink,
    bar_frames,
    open_trade_sink,
)

from .helpers import T0, stored_rows


def trades(n: int, symbol: str = "AAPL", start: int = 0) -> list[Trade]:
    return [
        Trade(symbol, T0 + i * 1_000, 100.0 + i / 8, float(i + 1), str(i))
        for i in range(start, start + n)
    ]


def test_trades_are_stored_exactly_with_nanoseconds_and_missing_ids(sink_url: str) -> None:
    batch = [*trades(3), Trade("BTC/USD", T0 + 7, 42_000.125, 0.001, None)]
    with open_trade_sink(sink_url) as sink:
        assert sink.write(batch) == 4
        assert sink.write([]) == 0
        assert sink.count() == 4
    assert stored_rows(sink_url) == [
        ("AAPL", T0, 100.0, 1.0, "0"),
        ("AAPL", T0 + 1_000, 100.125, 2.0, "1"),
        ("AAPL", T0 + 2_000, 100.25, 3.0, "2"),
        ("BTC/USD", T0 + 7, 42_000.125, 0.001, None),
    ]


def test_integer_prices_and_a_batch_without_any_id(sink_url: str) -> None:
    with open_trade_sink(sink_url) as sink:
        sink.write([Trade("X", T0, 100, 2, None), Trade("X", T0 + 1, 100.5, 1, None)])
    rows = stored_rows(sink_url)
    assert rows == [("X", T0, 100.0, 2.0, None), ("X", T0 + 1, 100.5, 1.0, None)]
    assert all(isinstance(value, float) for row in rows for value in row[2:4])


def test_reopening_appends_to_the_same_table(sink_url: str) -> None:
    with open_trade_sink(sink_url) as sink:
        sink.write(trades(2))
    with open_trade_sink(sink_url) as sink:
        sink.write(trades(2, start=2))
        assert sink.count() == 4
    assert [row[4] for row in stored_rows(sink_url)] == ["0", "1", "2", "3"]


def test_each_write_is_one_transaction_and_a_failed_one_stores_nothing(sink_url: str) -> None:
    with open_trade_sink(sink_url) as sink:
        sink.write(trades(2))
        no_symbol = Trade(None, T0, 1.0, 1.0, None)  # type: ignore[arg-type]  # NOT NULL
        bad = [*trades(2, start=2), no_symbol]
        with pytest.raises(DataError, match="writing 3 trades failed"):
            sink.write(bad)
        assert sink.count() == 2
        sink.write(trades(1, start=9))  # the sink is still usable
        assert sink.count() == 3


def test_the_factory_picks_the_back_end_and_refuses_other_schemes(sink_url: str) -> None:
    with open_trade_sink(sink_url) as sink:
        expected = DuckDBTradeSink if sink_url.startswith("duckdb") else PostgresTradeSink
        assert isinstance(sink, expected)
    with pytest.raises(ConfigError, match="unsupported trade store URL"):
        open_trade_sink("sqlite:///trades.db")
    with pytest.raises(ConfigError) as caught:
        open_trade_sink("mysql://u:secret@h/db")
    assert "secret" not in str(caught.value)


def test_an_unreachable_server_is_a_data_error_without_the_password() -> None:
    with pytest.raises(DataError, match="cannot connect to the trade store") as caught:
        open_trade_sink("postgresql://u:secret@127.0.0.1:1/db?connect_timeout=2")
    assert "secret" not in str(caught.value)


def test_a_relative_duckdb_path_and_an_in_memory_sink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_trade_sink("duckdb:///data/trades.duckdb") as sink:
        sink.write(trades(1))
    assert (tmp_path / "data" / "trades.duckdb").is_file()
    with open_trade_sink("duckdb:///t.duckdb", base_dir=tmp_path / "elsewhere") as sink:
        sink.write(trades(1))
    assert (tmp_path / "elsewhere" / "t.duckdb").is_file()
    with open_trade_sink("duckdb:///:memory:") as sink:
        assert sink.write(trades(5)) == 5
        assert sink.count() == 5


def test_bar_frames_group_by_symbol_and_length_in_order() -> None:
    s = 1_000_000_000
    bars = [
        Bar("A", T0 + s, T0, 1.0, 2.0, 0.5, 1.5, 10.0, session=19724),
        Bar("B", T0 + 60 * s, T0, 5.0, 5.0, 5.0, 5.0, 1.0),
        Bar("A", T0 + 2 * s, T0 + s, 1.5, 1.5, 1.0, 1.0, 3.0, session=19724),
    ]
    frames = bar_frames(bars, "live:test")
    assert [(f.symbol, f.frequency_ns, len(f)) for f in frames] == [("A", s, 2), ("B", 60 * s, 1)]
    a = frames[0]
    assert a.ts.tolist() == [T0 + s, T0 + 2 * s]
    assert a.close.tolist() == [1.5, 1.0]
    assert a.session.tolist() == [19724, 19724]
    assert a.row_numbers.tolist() == [1, 2]
    assert a.source == "live:test"
    assert math.isnan(a.bid[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_delay_s": -1.0}, "max_delay_s"),
        ({"max_delay_s": math.inf}, "max_delay_s"),
        ({"max_rows": 0}, "max_rows"),
    ],
)
def test_a_batch_policy_refuses_nonsense(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BatchPolicy(**kwargs)  # type: ignore[arg-type]
