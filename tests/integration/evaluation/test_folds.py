"""Walk-forward fold and sub-period arithmetic on hand-sized timelines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantrail.core.time import NANOS_PER_DAY
from quantrail.research.evaluation import equal_windows, make_folds, yearly_windows

TEN = np.arange(100, 110, dtype=np.int64)  # ten bars stamped 100, 101, ..., 109


def _spans(folds: list) -> list[tuple[int, int, int, int]]:
    return [(f.train.start, f.train.end, f.test.start, f.test.end) for f in folds]


def test_rolling_bar_folds() -> None:
    folds = make_folds(TEN, train=4, test=2)
    # Train on 4 bars, test the next 2, roll by the test length; the last test ends after bar 109.
    assert _spans(folds) == [(100, 104, 104, 106), (102, 106, 106, 108), (104, 108, 108, 110)]
    assert [(f.train.bars, f.test.bars) for f in folds] == [(4, 2)] * 3
    assert [f.index for f in folds] == [0, 1, 2]


def test_anchored_bar_folds_grow_from_the_first_bar() -> None:
    folds = make_folds(TEN, train=4, test=2, anchored=True)
    assert _spans(folds) == [(100, 104, 104, 106), (100, 106, 106, 108), (100, 108, 108, 110)]
    assert [f.train.bars for f in folds] == [4, 6, 8]


def test_a_step_longer_than_the_test_leaves_gaps_and_incomplete_tests_are_dropped() -> None:
    folds = make_folds(TEN, train=3, test=2, step=3)
    # 3+2 <= 10 and 6+2 <= 10; the next fold (9+2 = 11 bars) does not fit.
    assert _spans(folds) == [(100, 103, 103, 105), (103, 106, 106, 108)]


def test_overlapping_tests_and_mixed_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="may not overlap"):
        make_folds(TEN, train=4, test=2, step=1)
    with pytest.raises(ValueError, match="all be bar counts or all be durations"):
        make_folds(TEN, train=4, test="2d")
    with pytest.raises(ValueError, match="no walk-forward fold fits"):
        make_folds(TEN, train=9, test=2)
    with pytest.raises(ValueError, match="strictly increasing"):
        make_folds(TEN[::-1], train=4, test=2)


def test_duration_folds_count_clock_time_not_bars() -> None:
    d = NANOS_PER_DAY
    # Daily bars with a hole: days 5 and 6 are missing. Durations span it; bar counts would not.
    days = np.array([0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13], dtype=np.int64) * d
    folds = make_folds(days, train="4d", test="3d")
    # Fold [0, 4d) | [4d, 7d) is dropped: its test window holds one bar (day 4).
    # The next would test [13d, 16d), beyond the data (last bar 13d + 1d spacing).
    assert _spans(folds) == [(3 * d, 7 * d, 7 * d, 10 * d), (6 * d, 10 * d, 10 * d, 13 * d)]
    assert [(f.train.bars, f.test.bars) for f in folds] == [(2, 3), (3, 3)]
    assert [f.index for f in folds] == [0, 1]


def test_duration_fold_is_kept_when_the_data_reaches_the_end_of_its_test() -> None:
    d = NANOS_PER_DAY
    days = np.arange(10, dtype=np.int64) * d  # days 0..9: the data covers [0, 10d)
    folds = make_folds(days, train="4d", test="3d", anchored=True)
    assert _spans(folds) == [(0, 4 * d, 4 * d, 7 * d), (0, 7 * d, 7 * d, 10 * d)]
    assert len(make_folds(days[:-1], train="4d", test="3d", anchored=True)) == 1


def test_equal_windows_split_bars_as_evenly_as_possible() -> None:
    windows = equal_windows(TEN, 3)
    assert [w.bars for w in windows] == [4, 3, 3]
    assert [(w.start, w.end) for w in windows] == [(100, 104), (104, 107), (107, 110)]
    with pytest.raises(ValueError, match="windows of at least 2 bars"):
        equal_windows(TEN, 6)


def test_yearly_windows_use_the_bars_open_time() -> None:
    # Daily bars known at the next midnight: the 31 December bar is known on 1 January.
    opens = pd.to_datetime(["2020-12-30", "2020-12-31", "2021-01-04", "2021-01-05"], utc=True)
    known = np.asarray(opens.as_unit("ns").asi8, dtype=np.int64) + NANOS_PER_DAY
    windows = yearly_windows(known, NANOS_PER_DAY)
    assert [(w.label, w.bars) for w in windows] == [("2020", 2), ("2021", 2)]
    assert windows[0].end == windows[1].start == known[2]
