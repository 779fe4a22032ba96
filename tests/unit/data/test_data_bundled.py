"""The real files in data/: they load, have no fatal issues, and SPY's two known warts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantrail.data import DataConfig, load_bars, merge_frames, validate_bars

DATA = Path(__file__).resolve().parents[3] / "data"
BAR_FILES = sorted(DATA.glob("equity_*.csv")) + sorted(DATA.glob("crypto_minute_*.csv"))
BTC = "crypto_minute_BTCUSD_2018-04-04_2018-04-05.csv"
BTC_QUOTES = "quote_minute_BTCUSD_2018-04-04_2018-04-05.csv"


def config_for(path: Path) -> DataConfig:
    return DataConfig(
        symbol=path.stem,
        path=path,
        frequency="1min" if "_minute_" in path.name else "1d",
        asset_class="crypto" if path.name.startswith("crypto") else "equity",
    )


def test_bar_files_found() -> None:
    assert len(BAR_FILES) == 14


@pytest.mark.parametrize("path", BAR_FILES, ids=[p.name for p in BAR_FILES])
def test_bundled_bar_file_has_no_fatal_issue(path: Path) -> None:
    frame = load_bars(config_for(path))
    report = validate_bars(frame)
    assert report.ok, report.to_dict()
    report.raise_if_fatal()
    assert len(frame) == len(pd.read_csv(path))
    assert frame.row_numbers[0] == 2
    assert frame.row_numbers[-1] == len(frame) + 1


def test_spy_daily_has_exactly_two_ohlc_low_warts() -> None:
    report = validate_bars(load_bars(config_for(DATA / "equity_daily_SPY.csv")))
    assert [i.rule for i in report.fatal] == []
    issue = report.issue("ohlc_low")
    assert issue is not None
    assert issue.count == 2
    assert [e.row for e in issue.examples] == [1808, 1825]
    assert [e.bar_start[:10] for e in issue.examples] == ["2015-03-05", "2015-03-30"]
    assert report.issue("ohlc_high") is None


def test_spy_minute_sessions_are_new_york_dates() -> None:
    frame = load_bars(config_for(DATA / "equity_minute_SPY_2011-03.csv"))
    assert len(frame) == 17577
    days = pd.to_datetime(frame.session, unit="D").strftime("%Y-%m-%d")
    assert days[0] == "2011-03-01"
    assert days[-1] == "2011-03-31"  # 19:58 New York on Mar 31 is already Apr 1 in UTC
    assert len(set(days)) == 23  # trading days in March 2011


def test_btc_quotes_joined_from_quote_file() -> None:
    cfg = config_for(DATA / BTC).model_copy(update={"quotes_path": DATA / BTC_QUOTES})
    frame = load_bars(cfg)
    bars = pd.read_csv(DATA / BTC)
    quotes = pd.read_csv(DATA / BTC_QUOTES)
    expected = bars.merge(quotes, on="timestamp", how="left", validate="one_to_one")
    assert np.array_equal(frame.bid, expected["bid_close"].to_numpy(), equal_nan=True)
    assert np.array_equal(frame.ask, expected["ask_close"].to_numpy(), equal_nan=True)
    assert (frame.bid[0], frame.ask[0]) == (7424.9, 7424.91)
    missing = int(np.isnan(frame.bid).sum())
    assert 0 < missing < len(frame)  # some trade minutes have no quote bar: NaN, not invented
    report = validate_bars(frame)
    assert report.ok
    assert "crossed_quote" in report.rules_checked


def test_bundled_pair_merges_in_time_order() -> None:
    gld = load_bars(config_for(DATA / "equity_daily_GLD.csv"))
    gdx = load_bars(config_for(DATA / "equity_daily_GDX.csv"))
    stream = merge_frames([gld, gdx])
    assert len(stream) == len(gld) + len(gdx)
    assert np.all(np.diff(stream.ts) >= 0)
