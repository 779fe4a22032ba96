"""merge_frames: deterministic time order across symbols."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantrail.core.errors import DataError
from quantrail.data import BarFrame, merge_frames


def frame(symbol: str, ts: list[int], first_price: float = 1.0) -> BarFrame:
    n = len(ts)
    ts_arr = np.asarray(ts, dtype=np.int64)
    prices = first_price + np.arange(n, dtype=np.float64)
    return BarFrame(
        symbol=symbol,
        frequency_ns=10,
        source=f"{symbol}.csv",
        ts=ts_arr,
        ts_open=ts_arr - 10,
        open=prices,
        high=prices,
        low=prices,
        close=prices,
        volume=np.ones(n),
        bid=np.full(n, np.nan),
        ask=np.full(n, np.nan),
        session=ts_arr // 100,
        row_numbers=np.arange(2, n + 2, dtype=np.int64),
    )


def test_interleaves_by_ts_and_breaks_ties_by_frame_order() -> None:
    a = frame("A", [10, 20, 30], first_price=100)
    b = frame("B", [5, 20, 40], first_price=200)
    stream = merge_frames([a, b])
    assert stream.symbols == ["A", "B"]
    assert stream.ts.tolist() == [5, 10, 20, 20, 30, 40]
    assert stream.symbol_index.tolist() == [1, 0, 0, 1, 0, 1]
    assert stream.row_index.tolist() == [0, 0, 1, 1, 2, 2]
    assert stream.close.tolist() == [200, 100, 101, 201, 102, 202]
    assert stream.ts_open.tolist() == [t - 10 for t in stream.ts.tolist()]
    assert len(stream) == 6

    flipped = merge_frames([b, a])
    assert flipped.symbols == ["B", "A"]
    assert flipped.close.tolist() == [200, 100, 201, 101, 102, 202]


def test_duplicate_timestamps_within_a_frame_keep_file_order() -> None:
    stream = merge_frames([frame("A", [10, 10, 20]), frame("B", [10])])
    assert list(zip(stream.symbol_index.tolist(), stream.row_index.tolist(), strict=True)) == [
        (0, 0),
        (0, 1),
        (1, 0),
        (0, 2),
    ]


def test_same_symbol_twice_rejected() -> None:
    with pytest.raises(DataError, match="symbol A is loaded twice"):
        merge_frames([frame("A", [1]), frame("B", [2]), frame("A", [3])])


def test_unsorted_frame_rejected_instead_of_silently_reordered() -> None:
    with pytest.raises(DataError, match="out_of_order") as info:
        merge_frames([frame("A", [10, 30, 20])])
    assert info.value.row == 4


def test_empty_inputs() -> None:
    assert len(merge_frames([])) == 0
    stream = merge_frames([frame("A", []), frame("B", [7])])
    assert stream.ts.tolist() == [7]
    assert stream.symbol_index.tolist() == [1]


def test_stream_is_read_only() -> None:
    stream = merge_frames([frame("A", [1, 2])])
    with pytest.raises(ValueError, match="read-only"):
        stream.ts[0] = 5


sorted_ts = st.lists(st.integers(-(10**12), 10**12), max_size=40).map(sorted)


@settings(max_examples=200, deadline=None)
@given(st.lists(sorted_ts, max_size=6))
def test_merge_is_a_time_ordered_permutation(all_ts: list[list[int]]) -> None:
    frames = [frame(f"S{k}", ts) for k, ts in enumerate(all_ts)]
    stream = merge_frames(frames)
    assert np.all(np.diff(stream.ts) >= 0)
    pairs = list(zip(stream.symbol_index.tolist(), stream.row_index.tolist(), strict=True))
    expected = [(k, r) for k, ts in enumerate(all_ts) for r in range(len(ts))]
    assert sorted(pairs) == expected
    for name in ("ts", "ts_open", "close", "session"):
        for k, (s, r) in enumerate(pairs):
            assert getattr(stream, name)[k] == getattr(frames[s], name)[r]
    # Ties: frame order first, then row order, i.e. (ts, symbol, row) is sorted.
    keys = list(zip(stream.ts.tolist(), pairs, strict=True))
    assert keys == sorted(keys)


def test_bar_frame_rejects_ragged_columns() -> None:
    good = frame("A", [1, 2])
    with pytest.raises(ValueError, match="column close has shape"):
        BarFrame(**{**good.__dict__, "close": np.ones(3)})


def test_empty_frame_validates_clean() -> None:
    from quantrail.data import validate_bars

    report = validate_bars(frame("A", []))
    assert report.ok
    assert report.rows == 0
    assert report.first_ts is None
