import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.offline
import pytest

from quantrail.analytics import compute_metrics, write_report
from quantrail.analytics.report import CHART_TITLES


@pytest.fixture
def equity() -> pd.Series:
    index = pd.date_range("2024-01-01", periods=120, freq="D", tz="UTC")
    returns = np.random.default_rng(7).normal(0.0005, 0.01, len(index))
    return pd.Series(100.0 * np.cumprod(1 + returns), index=index)


@pytest.fixture
def trades() -> pd.DataFrame:
    return pd.DataFrame({"pnl": [12.0, -4.0, 7.5, -1.0]})


def render(path: Path, equity: pd.Series, trades: pd.DataFrame, config: str = "seed: 1\n") -> str:
    metrics = compute_metrics(equity, periods_per_year=252, trades=trades, turnover_notional=1e4)
    write_report(
        path,
        title="Run <sma> & co",
        equity=equity,
        trades=trades,
        metrics=metrics,
        config_text=config,
    )
    return path.read_text(encoding="utf-8")


def test_report_embeds_plotly_once_and_loads_nothing(
    tmp_path: Path, equity: pd.Series, trades: pd.DataFrame
) -> None:
    page = render(tmp_path / "out" / "report.html", equity, trades)
    library = plotly.offline.get_plotlyjs()
    assert page.count(library) == 1
    assert "plotly.js v" in page
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, flags=re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=", page, flags=re.IGNORECASE)
    # plotly.js itself carries dormant default URLs (geo topojson at cdn.plot.ly, map icons
    # on jsdelivr) for trace types this report never draws; everything else must be clean.
    assert "https://cdn" not in page.replace(library, "")


def test_report_has_the_four_charts_and_the_metrics(
    tmp_path: Path, equity: pd.Series, trades: pd.DataFrame
) -> None:
    page = render(tmp_path / "report.html", equity, trades)
    for title in CHART_TITLES:
        assert f"<h2>{html.escape(title)}</h2>" in page
    assert set(CHART_TITLES) == {
        "Equity curve",
        "Drawdown (underwater)",
        "Monthly returns (%)",
        "Trade P&L distribution",
    }
    assert page.count("Plotly.newPlot(") == 4
    assert "<th>sharpe</th>" in page
    assert "<th>max drawdown</th>" in page


def test_report_escapes_title_and_config(tmp_path: Path, equity: pd.Series) -> None:
    config = 'name: "<script>alert(1)</script>"\n'
    page = render(tmp_path / "report.html", equity, pd.DataFrame(), config)
    assert "<script>alert(1)</script>" not in page
    assert html.escape(config) in page
    assert "<title>Run &lt;sma&gt; &amp; co</title>" in page


def test_report_is_reproducible(tmp_path: Path, equity: pd.Series, trades: pd.DataFrame) -> None:
    first = render(tmp_path / "a.html", equity, trades)
    second = render(tmp_path / "b.html", equity, trades)
    assert first == second


def test_report_rejects_invalid_equity(tmp_path: Path, equity: pd.Series) -> None:
    bad = equity.copy()
    bad.iloc[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        write_report(
            tmp_path / "r.html",
            title="t",
            equity=bad,
            trades=pd.DataFrame(),
            metrics={},
            config_text="",
        )
    assert not (tmp_path / "r.html").exists()
