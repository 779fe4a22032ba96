"""The correlation guard compares two symbols on the timestamps both have."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from quantrail.core import Bar
from quantrail.engine.build import prepare
from quantrail.engine.config import RunConfig


def test_a_weekday_only_copy_correlates_perfectly_with_its_daily_original(tmp_path: Path) -> None:
    days = pd.date_range("2020-01-01", periods=120, freq="D", tz="UTC")
    close = 100 * np.exp(np.cumsum(np.random.default_rng(5).normal(0, 0.01, len(days))))
    frame = pd.DataFrame({"timestamp": days, "open": close, "high": close, "low": close,
                          "close": close, "volume": 1e6})  # fmt: skip
    frame.to_csv(tmp_path / "A.csv", index=False)
    frame[days.day_of_week < 5].to_csv(tmp_path / "B.csv", index=False)
    data = [{"symbol": s, "path": str(tmp_path / f"{s}.csv"), "frequency": "1d",
             "asset_class": "crypto"} for s in ("A", "B")]  # fmt: skip
    prepared = prepare(RunConfig.model_validate({"data": data, "strategy": {"name": "sma_cross"}}))
    engine = prepared.engine
    stream = engine.stream
    engine.start()
    for i in range(len(stream.ts)):
        bar = Bar(stream.symbols[int(stream.symbol_index[i])], int(stream.ts[i]),
                  int(stream.ts_open[i]), *(float(x[i]) for x in (stream.open, stream.high,
                  stream.low, stream.close, stream.volume)))  # fmt: skip
        engine.process(i, bar, 0.0)
    a, b = engine.aligned_returns("A", "B", 60)
    prepared.audit.close()
    assert len(a) == len(b) == 60
    np.testing.assert_allclose(a, b)  # weekend moves land in Monday's return for both
