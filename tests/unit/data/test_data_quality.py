"""Quality reports: each check on crafted data, the real files, and the written JSON/HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quantrail.cli.data_quality_cmd import quality_command
from quantrail.core.errors import ConfigError
from quantrail.data import DataConfig, load_bars
from quantrail.data.calendars import get_calendar
from quantrail.data.corporate_actions import adjusted, load_actions
from quantrail.data.quality import quality_report, write_quality_report

DATA = Path(__file__).resolve().parents[3] / "data"
HEADER = "timestamp,open,high,low,close,volume,bid,ask"
# 20 sessions, 2014-01-02 .. 2014-01-31 minus the MLK holiday (01-20).
SESSIONS = [
    f"2014-01-{d:02d}"
    for d in (2, 3, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 21, 22, 23, 24, 27, 28, 29, 30)
]


def line(date: str, close: float, volume: float = 100, bid: float = 1, ask: float = 2) -> str:
    return f"{date}T00:00:00-05:00,{close},{close + 1},{close - 1},{close},{volume},{bid},{ask}"


def crafted() -> list[str]:
    # Closes 100, 101, 102, 100, 101, 102 ... (returns of about +-1 % and -2 %).
    lines = [line(d, 100 + i % 3) for i, d in enumerate(SESSIONS)]
    lines[8] = line(SESSIONS[8], 150)  # spike up at line 10, back down at line 11
    for k in (12, 13, 14, 15, 16):  # 5 equal closes: one stale run, lines 14-18
        lines[k] = line(SESSIONS[k], 105)
    for k in (2, 3, 4):  # three zero-volume bars, lines 4-6
        lines[k] = line(SESSIONS[k], 100 + k % 3, volume=0)
    lines[5] = line(SESSIONS[5], 102, bid=3, ask=2)  # crossed quote, line 7
    del lines[18]  # 2014-01-29 missing
    lines.append(line("2014-01-20", 101))  # a bar on the holiday... out of order at the end
    lines.append(line("2014-01-30", 101))  # and a duplicate of 01-30
    return lines


def examples(check: dict[str, Any]) -> list[int]:
    return [e["line"] for e in check["examples"]]


def test_each_check_on_crafted_daily_bars(load_csv: Any) -> None:
    frame = load_csv(crafted(), header=HEADER)
    report = quality_report(frame, get_calendar("XNYS"))
    checks = report["checks"]
    assert checks["missing_sessions"] == {"count": 1, "examples": ["2014-01-29"]}
    assert "missing_intraday_bars" not in checks
    assert examples(checks["off_calendar_bars"]) == [21]
    assert examples(checks["duplicates"]) == [22]
    assert checks["duplicates"]["identical_rows"] == 1
    assert examples(checks["spikes"]) == [10, 11]
    assert checks["spikes"]["scale"] == "mad"
    assert examples(checks["stale_runs"]) == [14]
    assert checks["stale_runs"]["longest"] == 5
    assert checks["stale_runs"]["examples"][0]["detail"] == "5 bars with close 105"
    assert examples(checks["crossed_quotes"]) == [7]
    assert examples(checks["zero_volume_runs"]) == [4]
    assert checks["zero_volume_runs"]["zero_volume_bars"] == 3
    validation = report["validation"]
    assert validation["ok"] is False
    assert set(validation["fatal"]) == {"duplicate_timestamp", "out_of_order"}
    assert validation["counts"]["crossed_quote"] == 1


def test_thresholds_are_parameters(load_csv: Any) -> None:
    frame = load_csv(crafted(), header=HEADER)
    report = quality_report(frame, get_calendar("XNYS"), spike_sigmas=1000, stale_run=6)
    assert report["checks"]["spikes"]["count"] == 0
    assert report["checks"]["stale_runs"]["count"] == 0
    with pytest.raises(ValueError, match="stale_run"):
        quality_report(frame, get_calendar("XNYS"), stale_run=1)


def test_spy_daily_sandy_is_not_a_gap_against_the_calendar() -> None:
    frame = load_bars(DataConfig(symbol="SPY", path=DATA / "equity_daily_SPY.csv", frequency="1d"))
    report = quality_report(frame, get_calendar("XNYS"))
    assert report["checks"]["missing_sessions"]["count"] == 0
    assert report["validation"]["counts"] == {"ohlc_low": 2, "gap": 1}
    assert report["checks"]["duplicates"]["count"] == 0


def test_minute_files() -> None:
    spy = load_bars(
        DataConfig(symbol="SPY", path=DATA / "equity_minute_SPY_2011-03.csv", frequency="1min")
    )
    checks = quality_report(spy, get_calendar("XNYS"))["checks"]
    assert checks["outside_regular_hours"]["count"] == 8607
    assert checks["missing_intraday_bars"]["count"] == 0
    btc_cfg = DataConfig(
        symbol="BTC",
        path=DATA / "crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv",
        frequency="1min",
        asset_class="crypto",
    )
    btc = quality_report(load_bars(btc_cfg), get_calendar(btc_cfg.calendar_name))["checks"]
    assert btc["missing_intraday_bars"]["count"] == 433
    assert btc["missing_intraday_bars"]["worst_sessions"] == [
        {"session": "2018-04-04", "missing": 433}
    ]
    assert btc["outside_regular_hours"]["count"] == 0


def test_raw_split_is_a_spike_and_the_adjusted_series_has_none() -> None:
    cfg = DataConfig(symbol="AAPL", path=DATA / "equity_daily_AAPL_2014_raw.csv", frequency="1d")
    raw = load_bars(cfg)
    spikes = quality_report(raw, get_calendar("XNYS"))["checks"]["spikes"]
    assert examples(spikes) == [110]  # 2014-06-09, the 7-for-1 split
    actions = load_actions(DATA / "actions_AAPL_2014.csv", "AAPL")
    clean = quality_report(adjusted(raw, actions), get_calendar("XNYS"))["checks"]["spikes"]
    assert clean["count"] == 0


def test_written_json_and_html(load_csv: Any, tmp_path: Path) -> None:
    frame = load_csv(crafted(), header=HEADER, symbol="<b>X&Y</b>")
    report = quality_report(frame, get_calendar("XNYS"))
    json_path, html_path = write_quality_report([report], tmp_path / "out")
    loaded = json.loads(json_path.read_text(), parse_constant=lambda c: pytest.fail(c))
    assert loaded["reports"][0]["checks"]["spikes"]["count"] == 2
    html = html_path.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "&lt;b&gt;X&amp;Y&lt;/b&gt;" in html
    assert "<b>X" not in html
    assert "<script" not in html
    assert "http" not in html  # self-contained: nothing is fetched
    assert "missing_sessions" in html


def test_quality_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [DATA / "equity_daily_SPY.csv", DATA / "equity_daily_AAPL_2014_raw.csv"]
    quality_command(files, "1d", "bar_start", None, "equity", None, tmp_path)
    out = capsys.readouterr().out
    assert "equity_daily_SPY: 2519 bars" in out
    assert "validation ok (ohlc_low 2, gap 1)" in out
    assert "equity_daily_AAPL_2014_raw: 252 bars" in out
    reports = json.loads((tmp_path / "quality.json").read_text())["reports"]
    assert [r["symbol"] for r in reports] == ["equity_daily_SPY", "equity_daily_AAPL_2014_raw"]
    assert (tmp_path / "quality.html").exists()
    with pytest.raises(ConfigError, match="--frequency"):
        quality_command(files, "-1d", "bar_start", None, "equity", None, tmp_path)
    with pytest.raises(ConfigError, match="unknown trading calendar"):
        quality_command(files, "1d", "bar_start", None, "equity", "NOPE", tmp_path)
