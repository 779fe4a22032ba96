"""Corporate actions: loading, as-of adjustment, and agreement with vendor-adjusted files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from quantrail.core.errors import DataError
from quantrail.core.events import CorporateAction
from quantrail.data import BarFrame, DataConfig, load_bars
from quantrail.data.corporate_actions import (
    CorporateActions,
    adjusted,
    adjustment_factors,
    load_actions,
)

DATA = Path(__file__).resolve().parents[3] / "data"
HEADER = "timestamp,type,value"

# Max relative error of our prices against the vendor's after removing the vendor's constant
# factor for actions after the file ends (normalised at the last close). The vendor computes a
# dividend's factor as C_ex / (C_ex + D) with C_ex the ex-date close; we use the standard
# 1 - D / C_prev. Splits agree exactly; volumes are split-adjusted only, as ours.
VENDOR_AGREEMENT = {"AAPL_2014": 4e-5, "MSFT_2014": 1.6e-4, "ORCL_2000": 1e-12}


def ns(text: str) -> int:
    return int(pd.Timestamp(text).as_unit("ns").value)


def raw_frame(name: str) -> BarFrame:
    symbol = name.split("_")[0]
    path = DATA / f"equity_daily_{name}_raw.csv"
    return load_bars(DataConfig(symbol=symbol, path=path, frequency="1d"))


def vendor_frame(name: str) -> BarFrame:
    path = DATA / f"equity_daily_{name}_adj.csv"
    return load_bars(DataConfig(symbol=name.split("_")[0], path=path, frequency="1d"))


def actions_of(name: str) -> CorporateActions:
    return load_actions(DATA / f"actions_{name}.csv", name.split("_")[0])


def index_of(frame: BarFrame, date: str) -> int:
    return int(np.flatnonzero(frame.session == np.datetime64(date, "D").astype(np.int64))[0])


def test_load_aapl_actions() -> None:
    actions = actions_of("AAPL_2014")
    assert [(a.kind, a.value) for a in actions] == [
        ("dividend", 3.05),
        ("dividend", 3.29),
        ("split", 7.0),
        ("dividend", 0.47),
        ("dividend", 0.47),
    ]
    split = actions.actions[2]
    assert split.ex_ns == ns("2014-06-09T00:00:00-04:00")
    assert split.available_at_ns == split.ex_ns  # no announcement date: known on the ex-date
    assert actions.rows == (2, 3, 4, 5, 6)
    assert all(isinstance(e, CorporateAction) and e.symbol == "AAPL" for e in actions.events)


def test_events_need_a_symbol() -> None:
    actions = load_actions(DATA / "actions_ORCL_2000.csv")
    with pytest.raises(ValueError, match="no symbol"):
        _ = actions.events
    assert {e.symbol for e in actions.with_symbol("ORCL").events} == {"ORCL"}


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("2014-02-06T00:00:00-05:00,merger,1", "action_type"),
        ("2014-02-06T00:00:00-05:00,dividend,-1", "action_value"),
        ("2014-02-06T00:00:00-05:00,dividend,nan", "action_value"),
        ("2014-02-06T00:00:00-05:00,split,1", "action_value"),
        ("2014-01-02T00:00:00-05:00,split,2", "duplicate_action"),
    ],
)
def test_bad_action_rows_name_line_and_rule(write_csv: Any, line: str, rule: str) -> None:
    path = write_csv(["2014-01-02T00:00:00-05:00,split,7", line], header=HEADER)
    with pytest.raises(DataError, match=rf"row 3, rule {rule}:"):
        load_actions(path)


def test_unparseable_value_and_empty_file(write_csv: Any) -> None:
    with pytest.raises(DataError, match="row 2"):
        load_actions(write_csv(["2014-01-02T00:00:00-05:00,split,abc"], header=HEADER))
    assert len(load_actions(write_csv([], header=HEADER))) == 0


def test_hand_computed_factors(load_csv: Any, bar: Any, write_csv: Any) -> None:
    # Mon..Thu; dividend 1.00 ex Tue (previous close 100), 2-for-1 split ex Wed.
    frame = load_csv(
        [
            bar("2014-01-06", c=100, h=101, v=10),
            bar("2014-01-07", c=102, h=103, v=10),
            bar("2014-01-08", o=50, h=52, low=49, c=51, v=20),
            bar("2014-01-09", o=50, h=52, low=49, c=51, v=20),
        ]
    )
    path = write_csv(
        ["2014-01-08T00:00:00-05:00,split,2", "2014-01-07T00:00:00-05:00,dividend,1.0"],
        header=HEADER,
        name="actions.csv",
    )
    price, volume = adjustment_factors(frame, load_actions(path, "TEST"))
    assert np.allclose(price, [0.99 * 0.5, 0.5, 1, 1], rtol=0, atol=1e-15)
    assert volume.tolist() == [2, 2, 1, 1]
    before = frame.close.copy()
    adj = adjusted(frame, load_actions(path, "TEST"))
    assert np.array_equal(frame.close, before)  # the raw frame is untouched
    assert np.allclose(adj.close, [49.5, 51, 51, 51], rtol=0, atol=1e-12)
    assert adj.volume.tolist() == [20, 20, 20, 20]
    assert "[adjusted as of" in adj.source


def test_dividend_with_a_split_on_the_same_day_is_per_new_share(
    load_csv: Any, bar: Any, write_csv: Any
) -> None:
    frame = load_csv([bar("2014-01-06", c=100), bar("2014-01-07", c=50)])
    path = write_csv(
        ["2014-01-07T00:00:00-05:00,split,2", "2014-01-07T00:00:00-05:00,dividend,1"],
        header=HEADER,
    )
    price, _ = adjustment_factors(frame, load_actions(path))
    assert price[0] == pytest.approx(0.5 * (1 - 1 / 50))  # 1.00 per new share vs 50 post-split


def test_dividend_not_below_previous_close_is_a_data_error(
    load_csv: Any, bar: Any, write_csv: Any
) -> None:
    frame = load_csv([bar("2014-01-06", c=10), bar("2014-01-07")])
    path = write_csv(["2014-01-07T00:00:00-05:00,dividend,10"], header=HEADER)
    with pytest.raises(DataError, match="row 2, rule dividend_exceeds_price"):
        adjustment_factors(frame, load_actions(path))


def test_actions_of_another_symbol_are_refused() -> None:
    with pytest.raises(ValueError, match="actions of MSFT applied to bars of AAPL"):
        adjusted(raw_frame("AAPL_2014"), actions_of("MSFT_2014"))


@pytest.mark.parametrize("name", sorted(VENDOR_AGREEMENT))
def test_agreement_with_vendor_adjusted_file(name: str) -> None:
    raw, vendor = raw_frame(name), vendor_frame(name)
    ours = adjusted(raw, actions_of(name))
    constant = vendor.close[-1] / ours.close[-1]  # the vendor's later actions, one factor
    worst = max(
        float(np.max(np.abs(getattr(ours, col) * constant / getattr(vendor, col) - 1)))
        for col in ("open", "high", "low", "close")
    )
    assert worst <= VENDOR_AGREEMENT[name]
    assert np.array_equal(ours.volume, vendor.volume)


@pytest.mark.parametrize("name", ["AAPL_2014", "MSFT_2014"])
def test_vendor_dividend_factor_uses_the_ex_date_close(name: str) -> None:
    raw, vendor = raw_frame(name), vendor_frame(name)
    ratio = vendor.close / raw.close
    for action in actions_of(name):
        if action.kind != "dividend":
            continue
        i = int(np.flatnonzero(raw.ts_open == action.ex_ns)[0])
        step = ratio[i - 1] / ratio[i]
        ex_close = raw.close[i]
        assert step == pytest.approx(ex_close / (ex_close + action.value), rel=1e-9)


def test_adjusting_before_the_aapl_split_leaves_prices_unsplit() -> None:
    raw = raw_frame("AAPL_2014")
    actions = actions_of("AAPL_2014")
    friday = index_of(raw, "2014-06-06")
    as_of_friday_close = int(raw.ts[friday])  # midnight before the Monday 2014-06-09 ex-date
    before = adjusted(raw, actions, as_of_friday_close)
    assert before.close[friday] == raw.close[friday] == 645.57
    first_day = (1 - 3.05 / 512.59) * (1 - 3.29 / 592.33)  # only the two known dividends
    assert before.close[0] == pytest.approx(553.13 * first_day, rel=1e-12)
    assert before.volume[0] == raw.volume[0]
    after = adjusted(raw, actions, ns("2014-06-09T00:00:00-04:00"))  # the ex-date itself
    assert after.close[friday] == pytest.approx(645.57 / 7, rel=1e-12)
    assert after.volume[0] == raw.volume[0] * 7


def test_an_action_is_not_applied_before_it_is_available() -> None:
    raw = raw_frame("ORCL_2000")
    first = load_actions(DATA / "actions_ORCL_2000.csv", "ORCL").actions[0]
    late = CorporateAction("ORCL", "split", 2.0, first.ex_ns, first.ex_ns + 5 * 86_400 * 10**9)
    actions = CorporateActions("ORCL", "test", (late,), (2,))
    price, _ = adjustment_factors(raw, actions, first.ex_ns + 86_400 * 10**9)
    assert (price == 1).all()
    price, _ = adjustment_factors(raw, actions, late.available_at_ns)
    assert price[0] == 0.5
