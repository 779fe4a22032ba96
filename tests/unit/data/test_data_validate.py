"""validate_bars: every rule fires on a crafted file, at the right lines, and not on clean data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quantrail.core.errors import DataError
from quantrail.data import RULES, validate_bars

# A clean business week: Mon 2014-01-06 .. Fri 2014-01-10, then Mon 2014-01-13.
DAYS = ["2014-01-06", "2014-01-07", "2014-01-08", "2014-01-09", "2014-01-10", "2014-01-13"]


def clean(bar: Any) -> list[str]:
    return [bar(d) for d in DAYS]


def test_clean_daily_file_has_no_issues(load_csv: Any, bar: Any) -> None:
    report = validate_bars(load_csv(clean(bar)))
    assert report.issues == []
    assert report.ok
    assert report.rows == len(DAYS)
    assert "crossed_quote" not in report.rules_checked
    report.raise_if_fatal()


def test_clean_minute_file_with_quotes_has_no_issues(load_csv: Any) -> None:
    header = "timestamp,open,high,low,close,volume,bid,ask"
    lines = [f"2014-01-06T09:3{m}:00-05:00,10,11,9,10.5,100,10.4,10.5" for m in range(5)]
    report = validate_bars(load_csv(lines, header=header, frequency="1min"))
    assert report.issues == []
    assert "crossed_quote" in report.rules_checked


def rows_of(report: Any, rule: str) -> list[int]:
    issue = report.issue(rule)
    assert issue is not None, f"{rule} did not fire: {report.to_dict()}"
    assert issue.severity == RULES[rule][0]
    assert issue.count == len(issue.examples)
    return [e.row for e in issue.examples]


# (rule, index in DAYS -> bar overrides, expected line numbers). Line = index + 2.
CASES = [
    ("nan_price", {1: {"c": ""}, 3: {"h": "inf"}}, [3, 5]),
    ("non_positive_price", {2: {"low": 0}, 4: {"o": -1}}, [4, 6]),
    ("negative_volume", {5: {"v": -5}}, [7]),
    ("high_below_low", {2: {"h": 9, "low": 9.5, "o": 9.2, "c": 9.2}}, [4]),
    ("ohlc_high", {1: {"h": 10.2}}, [3]),
    ("ohlc_low", {0: {"low": 10.2}, 4: {"low": 10.8, "o": 11, "c": 10.7}}, [2, 6]),
    ("nan_volume", {3: {"v": ""}}, [5]),
    ("zero_volume_run", {1: {"v": 0}, 2: {"v": 0}, 3: {"v": 0}, 5: {"v": 0}}, [3]),
]


@pytest.mark.parametrize(("rule", "changes", "lines"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_at_the_right_lines(
    load_csv: Any, bar: Any, rule: str, changes: dict[int, dict[str, Any]], lines: list[int]
) -> None:
    rows = [bar(day, **changes.get(i, {})) for i, day in enumerate(DAYS)]
    report = validate_bars(load_csv(rows))
    assert rows_of(report, rule) == lines
    assert report.ok is (RULES[rule][0] == "warning")


def test_duplicate_timestamp_names_first_occurrence(load_csv: Any, bar: Any) -> None:
    days = ["2014-01-06", "2014-01-07", "2014-01-07", "2014-01-08", "2014-01-07"]
    report = validate_bars(load_csv([bar(d) for d in days]))
    assert rows_of(report, "duplicate_timestamp") == [4, 6]
    details = [e.detail for e in report.issue("duplicate_timestamp").examples]  # type: ignore[union-attr]
    assert details == [
        "bar start 2014-01-07T05:00:00+00:00 repeats row 3",
        "bar start 2014-01-07T05:00:00+00:00 repeats row 3",
    ]
    assert rows_of(report, "out_of_order") == [6]
    assert not report.ok


def test_out_of_order(load_csv: Any, bar: Any) -> None:
    days = ["2014-01-06", "2014-01-08", "2014-01-07", "2014-01-09"]
    report = validate_bars(load_csv([bar(d) for d in days]))
    assert rows_of(report, "out_of_order") == [4]
    assert report.issue("duplicate_timestamp") is None


def test_zero_volume_run_length_is_configurable(load_csv: Any, bar: Any) -> None:
    volumes = [100, 0, 0, 100, 0, 0, 0, 100]
    days = [f"2014-01-{d:02d}" for d in (6, 7, 8, 9, 10, 13, 14, 15)]
    frame = load_csv([bar(d, v=v) for d, v in zip(days, volumes, strict=True)])
    assert rows_of(validate_bars(frame), "zero_volume_run") == [6]
    issue = validate_bars(frame, zero_volume_run=2).issue("zero_volume_run")
    assert issue is not None
    assert [e.row for e in issue.examples] == [3, 6]
    assert issue.examples[1].detail == "3 zero-volume bars, rows 6-8"


def test_daily_gap_allows_weekend_plus_holiday(load_csv: Any, bar: Any) -> None:
    # Fri -> Tue (Monday holiday, 4 days) is normal; Tue -> Mon (6 days) is a gap.
    days = ["2014-01-17", "2014-01-21", "2014-01-27", "2014-01-28"]
    report = validate_bars(load_csv([bar(d) for d in days]))
    assert rows_of(report, "gap") == [4]
    assert report.issue("gap").examples[0].detail == "6 calendar days after row 3"  # type: ignore[union-attr]


def test_intraday_gap_only_within_a_session(load_csv: Any, bar: Any) -> None:
    stamps = [
        "2014-01-06T09:30:00-05:00",
        "2014-01-06T09:31:00-05:00",
        "2014-01-06T09:35:00-05:00",  # 4 minutes after the previous bar: gap
        "2014-01-06T15:59:00-05:00",  # gap
        "2014-01-07T09:30:00-05:00",  # overnight: not a gap
        "2014-01-07T09:31:00-05:00",
    ]
    report = validate_bars(load_csv([bar(s) for s in stamps], frequency="1min"))
    assert rows_of(report, "gap") == [4, 5]
    assert report.issue("gap").examples[0].detail.startswith("4min after row 3")  # type: ignore[union-attr]


def test_crossed_quote(load_csv: Any) -> None:
    header = "timestamp,open,high,low,close,volume,bid,ask"
    quotes = [(10.4, 10.5), (10.6, 10.5), (10.5, 10.5), ("", 10.5), (10.9, 10.1)]
    lines = [
        f"2014-01-06T09:3{m}:00-05:00,10,11,9,10.5,100,{b},{a}" for m, (b, a) in enumerate(quotes)
    ]
    report = validate_bars(load_csv(lines, header=header, frequency="1min"))
    assert rows_of(report, "crossed_quote") == [3, 6]
    assert report.ok


def test_max_examples_caps_examples_not_count(load_csv: Any, bar: Any) -> None:
    days = [f"2014-02-{d:02d}" for d in (3, 4, 5, 6, 7, 10, 11, 12)]
    report = validate_bars(load_csv([bar(d, low=10.4) for d in days]), max_examples=3)
    issue = report.issue("ohlc_low")
    assert issue is not None
    assert issue.count == 8
    assert [e.row for e in issue.examples] == [2, 3, 4]


def test_raise_if_fatal_names_file_first_line_and_rule(
    load_csv: Any, bar: Any, tmp_path: Path
) -> None:
    days = ["2014-01-06", "2014-01-07", "2014-01-08", "2014-01-08", "2014-01-09"]
    rows = [bar(d) for d in days]
    rows[4] = bar(days[4], c="nan")
    report = validate_bars(load_csv(rows))
    with pytest.raises(DataError) as info:
        report.raise_if_fatal()
    message = str(info.value)
    assert message.startswith(str(tmp_path))
    assert "bars.csv, row 5, rule duplicate_timestamp: " in message
    assert "bar start 2014-01-08T05:00:00+00:00 repeats row 4" in message
    assert "nan_price x1" in message
    assert (info.value.row, info.value.rule) == (5, "duplicate_timestamp")


def test_fatal_issues_listed_first_and_report_is_json(load_csv: Any, bar: Any) -> None:
    rows = [bar(DAYS[0], low=10.2), bar(DAYS[1], v=-1), bar(DAYS[2], c="")]
    report = validate_bars(load_csv(rows))
    assert [i.rule for i in report.issues] == ["nan_price", "negative_volume", "ohlc_low"]
    assert [i.rule for i in report.fatal] == ["nan_price", "negative_volume"]
    assert [i.rule for i in report.warnings] == ["ohlc_low"]
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["ok"] is False
    assert data["first_ts"] == "2014-01-07T05:00:00+00:00"
    assert data["issues"][0]["examples"][0]["values"]["close"] == "nan"
    assert data["issues"][0]["examples"][0]["line"] == 4


def test_validation_does_not_modify_frame(load_csv: Any, bar: Any) -> None:
    frame = load_csv([bar("2014-01-07"), bar("2014-01-06")])
    before = frame.ts.copy()
    validate_bars(frame)
    assert (frame.ts == before).all()


def test_zero_volume_run_must_be_positive(load_csv: Any, bar: Any) -> None:
    with pytest.raises(ValueError, match="zero_volume_run"):
        validate_bars(load_csv(clean(bar)), zero_volume_run=0)
