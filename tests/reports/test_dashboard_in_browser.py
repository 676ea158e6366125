"""The dashboard opens offline in a real browser and every chart is drawn."""

import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from ticket_analytics.reports import charts
from ticket_analytics.reports.dashboard import write_dashboard

BROWSER = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)
# The flags keep Chromium off the network entirely: the page must draw from the file alone.
OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
]


@pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine (.ci/run installs it)")
def test_every_chart_is_drawn_offline(tmp_path: Path) -> None:
    monthly = pl.DataFrame(
        {
            "month": ["2025-09", "2025-10"],
            "category": ["all", "all"],
            "created_count": [40, 50],
            "delivered_count": [38, 47],
            "closed_without_work_count": [2, 3],
            "median_lead_time_hours": [20.0, 24.0],
            "p85_lead_time_hours": [60.0, 66.0],
            "backlog_at_month_end": [10, 13],
            "backlog_older_than_30d": [2, 4],
            "median_backlog_age_days": [5.0, 8.0],
        }
    )
    figures = [
        (
            "Categories",
            charts.category_distribution(pl.DataFrame({"category": ["rds", "rds", "incident"]})),
        ),
        ("Throughput", charts.throughput_and_lead_time(monthly)),
        ("Backlog", charts.backlog_and_aging(monthly)),
    ]
    page = write_dashboard(
        tmp_path / "dashboard.html", figures, title="대시보드", generated_at=None
    )
    dom = subprocess.run(
        [
            str(BROWSER),
            *OFFLINE_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # plotly marks a div it has drawn into with js-plotly-plot and adds its SVG layers
    assert dom.count('class="plotly-graph-div js-plotly-plot"') == len(figures)
    assert dom.count('class="main-svg"') >= len(figures)
    assert "대시보드" in dom
