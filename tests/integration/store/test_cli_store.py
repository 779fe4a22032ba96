"""`quantrail data import` and `quantrail data list`, through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from quantrail.cli.main import main
from tests.conftest import DATA

SPY = str(DATA / "equity_daily_SPY.csv")
GLD = str(DATA / "equity_daily_GLD.csv")
NY = ["--timezone", "America/New_York"]


def test_import_twice_then_list(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["data", "import", SPY, "--symbol", "SPY", "--frequency", "1d", *NY]
    assert main([*args, "--store", store_url]) == 0
    first = capsys.readouterr()
    assert "SPY@1d: inserted 2519, skipped 0" in first.out
    assert "ohlc_low x2 (first at line 1808)" in first.err  # warnings are shown, not fatal
    assert main([*args, "--store", store_url]) == 0
    assert "SPY@1d: inserted 0, skipped 2519" in capsys.readouterr().out

    assert main(["data", "import", GLD, "--symbol", "GLD", "--frequency", "1d",
                 "--store", store_url]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["data", "list", "--store", store_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["symbol", "frequency", "first", "last", "rows"]
    assert lines[1].split()[:2] == ["GLD", "1d"]
    assert lines[2].split() == [
        "SPY", "1d", "2007-12-31T05:00:00+00:00", "2017-12-29T05:00:00+00:00", "2519"
    ]  # fmt: skip


def test_a_fatal_file_refuses_the_whole_import(
    tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "dupes.csv"
    bad.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2020-01-02T00:00:00+00:00,1,2,0.5,1.5,10\n"
        "2020-01-02T00:00:00+00:00,1,2,0.5,1.5,10\n"
    )
    code = main(["data", "import", GLD, str(bad), "--symbol", "X", "--frequency", "1d",
                 "--store", store_url])  # fmt: skip
    assert code == 3
    err = capsys.readouterr().err
    assert "dupes.csv" in err
    assert "row 3" in err
    assert "duplicate_timestamp" in err
    # GLD was valid but came in the same command: nothing was written.
    if store_url.startswith("duckdb"):
        assert not Path(store_url.removeprefix("duckdb:///")).exists()
    else:
        assert main(["data", "list", "--store", store_url]) == 0
        assert "no bars stored" in capsys.readouterr().out


def test_a_conflicting_import_exits_3(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "import", SPY, "--symbol", "SPY", "--frequency", "1d", *NY,
                 "--store", store_url]) == 0  # fmt: skip
    code = main(["data", "import", GLD, "--symbol", "SPY", "--frequency", "1d",
                 "--store", store_url])  # fmt: skip
    assert code == 3
    err = capsys.readouterr().err
    assert "store_conflict" in err
    assert "SPY@1d" in err


def test_the_default_store_is_quantrail_duckdb_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["data", "import", SPY, "--symbol", "SPY", "--frequency", "1d"]) == 0
    assert (tmp_path / "quantrail.duckdb").is_file()
    assert "duckdb:///quantrail.duckdb SPY@1d: inserted 2519" in capsys.readouterr().out
    assert main(["data", "list"]) == 0
    assert "SPY" in capsys.readouterr().out


def test_list_of_a_missing_store_and_bad_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["data", "list"]) == 3
    assert "no bar store at quantrail.duckdb" in capsys.readouterr().err
    assert main(["data", "list", "--store", "sqlite:///x.db"]) == 2
    assert "duckdb, postgresql" in capsys.readouterr().err
    assert main(["data", "import", SPY, "--symbol", "SPY", "--frequency", "0d"]) == 2
    assert "--frequency" in capsys.readouterr().err
    assert main(["data", "import", SPY, "--frequency", "1d"]) == 2  # --symbol is required
