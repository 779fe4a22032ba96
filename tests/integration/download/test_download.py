"""Resumable, rate-limit-aware downloads through the real alpaca-py and ccxt clients."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from quantrail.core.errors import ConfigError, RateLimited, VenueRejected, VenueUnavailable
from quantrail.data.download import AlpacaSource, BarSource, CcxtSource, RetryPolicy, download_bars
from quantrail.emulator import EmulatorHandle, FaultPlan, MarketScript, VenueEmulator

from .conftest import BTC_MINUTE, SPY_DAILY, read_source

KEYS = {"APCA_API_KEY_ID": "test-key-id", "APCA_API_SECRET_KEY": "test-secret-value"}
FAST = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.05, seed=7)
SPY_RANGE = ("2008-01-01", "2012-01-01")
BTC_RANGE = ("2018-04-04", "2018-04-06")
# Each venue's page is one HTTP request here: adapter page size == emulator page cap.
PAGE = 200


@pytest.fixture
def venue(request: pytest.FixtureRequest, script: MarketScript) -> Iterator[EmulatorHandle]:
    faults = getattr(request, "param", FaultPlan())
    with VenueEmulator.start_in_thread(script=script, faults=faults, max_page_size=PAGE) as emu:
        yield emu


def alpaca(emu: EmulatorHandle) -> AlpacaSource:
    return AlpacaSource(url_override=emu.alpaca_rest_url, page_size=PAGE, env=KEYS)


def binance(emu: EmulatorHandle) -> CcxtSource:
    return CcxtSource(emu.ccxt_exchange_id, config=emu.ccxt_config(), page_size=PAGE, env={})


def expected(path: Path, start: str, end: str) -> pd.DataFrame:
    frame = read_source(path)
    inside = (frame.timestamp >= pd.Timestamp(start, tz="UTC")) & (
        frame.timestamp < pd.Timestamp(end, tz="UTC")
    )
    return frame[inside].reset_index(drop=True)


def fetch(
    source: BarSource, symbol: str, freq: str, window: tuple[str, str], **kw: object
) -> pd.DataFrame:
    pages: list[pd.DataFrame] = []
    try:
        download_bars(source, symbol, freq, *window, pages.append, **kw)  # type: ignore[arg-type]
    finally:
        source.close()
    return pd.concat(pages, ignore_index=True)


CASES = [
    ("alpaca", "SPY", "1d", SPY_RANGE, SPY_DAILY, "/v2/stocks/bars", "start"),
    ("binance", "BTC/USD", "1min", BTC_RANGE, BTC_MINUTE, "/api/v3/klines", "startTime"),
]


def make(kind: str, emu: EmulatorHandle) -> BarSource:
    return alpaca(emu) if kind == "alpaca" else binance(emu)


@pytest.mark.parametrize(("kind", "symbol", "freq", "window", "path", "route", "param"), CASES)
def test_paged_download_equals_the_source(
    venue: EmulatorHandle,
    kind: str,
    symbol: str,
    freq: str,
    window: tuple[str, str],
    path: Path,
    route: str,
    param: str,
) -> None:
    got = fetch(make(kind, venue), symbol, freq, window, retry=FAST)
    want = expected(path, *window)
    pd.testing.assert_frame_equal(got, want)
    requests = venue.stats.requests_to(route)
    assert len(requests) == -(-len(want) // PAGE) + 1  # full pages, then one empty answer
    assert len({r.param(param) for r in requests}) == len(requests)  # no page asked twice


@pytest.mark.parametrize("venue", [FaultPlan(http_429_on=(2,), retry_after=1)], indirect=True)
@pytest.mark.parametrize("kind", ["alpaca", "binance"])
def test_429_waits_at_least_retry_after_and_data_is_complete(
    venue: EmulatorHandle, kind: str
) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    kind_case = next(c for c in CASES if c[0] == kind)
    _, symbol, freq, window, path, _, _ = kind_case
    started = time.monotonic()
    got = fetch(make(kind, venue), symbol, freq, window, retry=FAST, sleep=sleep)
    assert time.monotonic() - started >= 1.0
    assert len(waits) == 1
    assert waits[0] >= 1.0
    pd.testing.assert_frame_equal(got, expected(path, *window))
    assert venue.stats.responses_429 == 1


@pytest.mark.parametrize("venue", [FaultPlan(http_500_on=(1, 3, 4))], indirect=True)
@pytest.mark.parametrize("kind", ["alpaca", "binance"])
def test_500s_are_retried(venue: EmulatorHandle, kind: str) -> None:
    _, symbol, freq, window, path, _, _ = next(c for c in CASES if c[0] == kind)
    got = fetch(make(kind, venue), symbol, freq, window, retry=FAST)
    pd.testing.assert_frame_equal(got, expected(path, *window))
    assert venue.stats.responses_500 == 3


@pytest.mark.parametrize("venue", [FaultPlan(http_500_on=(1, 2, 3, 4))], indirect=True)
def test_retries_of_5xx_are_bounded_and_end_in_a_clear_error(venue: EmulatorHandle) -> None:
    policy = RetryPolicy(max_retries=2, base_delay=0.0)
    with pytest.raises(VenueUnavailable, match=r"gave up after 3 attempts.*HTTP 500"):
        fetch(alpaca(venue), "SPY", "1d", SPY_RANGE, retry=policy)
    assert venue.stats.data_requests == 3


@pytest.mark.parametrize(
    "venue", [FaultPlan(http_429_on=(1, 2, 3, 4), retry_after=0)], indirect=True
)
def test_retries_of_429_are_bounded_and_end_in_rate_limited(venue: EmulatorHandle) -> None:
    policy = RetryPolicy(max_retries=3, base_delay=0.0)
    with pytest.raises(RateLimited, match="gave up after 4 attempts"):
        fetch(binance(venue), "BTC/USD", "1min", BTC_RANGE, retry=policy)
    assert venue.stats.responses_429 == 4


@pytest.mark.parametrize("venue", [FaultPlan(reject_symbols=frozenset({"SPY"}))], indirect=True)
def test_a_rejected_symbol_fails_at_once(venue: EmulatorHandle) -> None:
    with pytest.raises(VenueRejected, match="HTTP 400"):
        fetch(alpaca(venue), "SPY", "1d", SPY_RANGE, retry=FAST)
    with pytest.raises(VenueRejected, match=r"BadSymbol|Invalid symbol|does not have market"):
        fetch(binance(venue), "XRP/USD", "1min", BTC_RANGE, retry=FAST)
    assert venue.stats.data_requests == 1


class Crash(Exception):
    pass


@pytest.mark.parametrize(("kind", "symbol", "freq", "window", "path", "route", "param"), CASES)
def test_an_interrupted_download_resumes_from_its_checkpoint(
    venue: EmulatorHandle,
    tmp_path: Path,
    kind: str,
    symbol: str,
    freq: str,
    window: tuple[str, str],
    path: Path,
    route: str,
    param: str,
) -> None:
    checkpoint = tmp_path / "ckpt.json"
    written: list[pd.DataFrame] = []

    def dying_sink(page: pd.DataFrame) -> None:
        if len(written) == 3:
            raise Crash  # the 4th page is in flight when the process dies
        written.append(page)

    source = make(kind, venue)
    with pytest.raises(Crash):
        download_bars(source, symbol, freq, *window, dying_sink, checkpoint, retry=FAST)
    saved = json.loads(checkpoint.read_text())
    assert (saved["pages"], saved["complete"]) == (3, False)
    last = written[-1].timestamp.iloc[-1]
    assert saved["last_bar_start_ns"] == last.value

    result = download_bars(source, symbol, freq, *window, written.append, checkpoint, retry=FAST)
    source.close()
    assert result.resumed
    assert result.complete
    pd.testing.assert_frame_equal(pd.concat(written, ignore_index=True), expected(path, *window))
    starts = Counter(r.param(param) for r in venue.stats.requests_to(route))
    assert [n for n in starts.values() if n > 1] == [2]  # only the page in flight, once more

    again = download_bars(source, symbol, freq, *window, written.append, checkpoint)
    assert again.pages == result.pages
    assert sum(starts.values()) == len(venue.stats.requests_to(route))


def test_a_checkpoint_of_another_download_is_refused(venue: EmulatorHandle, tmp_path: Path) -> None:
    checkpoint = tmp_path / "ckpt.json"
    source = alpaca(venue)
    download_bars(source, "SPY", "1d", "2008-01-01", "2008-02-01", list().append, checkpoint)
    with pytest.raises(ConfigError, match="another download"):
        download_bars(source, "SPY", "1d", "2009-01-01", "2009-02-01", list().append, checkpoint)
    source.close()


def test_credentials_come_from_the_environment_and_are_never_logged(
    venue: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ConfigError, match="APCA_API_KEY_ID"):
        fetch(AlpacaSource(url_override=venue.alpaca_rest_url, env={}), "SPY", "1d", SPY_RANGE)
    caplog.set_level(logging.DEBUG)
    source = alpaca(venue)
    fetch(source, "SPY", "1d", ("2008-01-01", "2008-03-01"))
    assert "test-secret-value" not in caplog.text
    assert "test-secret-value" not in repr(source)
    assert "page 1" in caplog.text
