"""The offline HTML dashboard of the marts."""

from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import dagster as dg
import plotly.graph_objects as go

from ticket_analytics.defs.metadata import markdown_table
from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.paths import reports_dir
from ticket_analytics.reports import charts
from ticket_analytics.reports.dashboard import write_dashboard
from ticket_analytics.reports.frames import (
    DashboardFrames,
    TriageFrames,
    load_dashboard_frames,
    load_triage_frames,
)

DASHBOARD_TITLE = "DevOps ticket dashboard"
# Built by the triage job, not by `build`: the dashboard draws what is there.
TRIAGE_MARTS = [
    dg.AssetKey("fct_triage_first_comment"),
    dg.AssetKey("fct_triage_completeness"),
    dg.AssetKey("fct_triage_followups"),
]
TABLE_ROWS = 10


class DashboardConfig(dg.Config):
    path: str = ""
    """Where to write the HTML; empty means reports/dashboard.html in the project."""


class _Chart(NamedTuple):
    key: str
    heading: str
    figure: go.Figure
    # Time series show their most recent rows in the metadata table, rankings their top ones.
    latest: bool


def _charts(frames: DashboardFrames) -> list[_Chart]:
    return [
        _Chart(
            "throughput_and_lead_time",
            "Throughput and lead time",
            charts.throughput_and_lead_time(frames.monthly_ops),
            latest=True,
        ),
        _Chart(
            "backlog_and_aging",
            "Backlog and aging",
            charts.backlog_and_aging(frames.monthly_ops),
            latest=True,
        ),
        _Chart(
            "cumulative_flow",
            "Cumulative flow",
            charts.cumulative_flow(frames.daily_flow),
            latest=True,
        ),
        _Chart(
            "category_distribution",
            "Tickets per category",
            charts.category_distribution(frames.tickets),
            latest=False,
        ),
        _Chart("toil_pareto", "Toil candidates", charts.toil_pareto(frames.toil), latest=False),
    ]


@dg.asset(
    group_name="reports",
    kinds={"plotly", "html"},
    deps=[
        dg.AssetKey("fct_tickets"),
        dg.AssetKey("fct_monthly_ops"),
        dg.AssetKey("fct_toil_candidates"),
        dg.AssetKey("fct_daily_flow"),
        *TRIAGE_MARTS,
    ],
)
def dashboard_html(config: DashboardConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One HTML file (reports/dashboard.html) that opens offline: throughput and lead time,
    backlog and its age, cumulative flow, tickets per category, the toil pareto and the
    triage metrics (time to first comment, completeness at creation, completed after asking).

    plotly.js is embedded, so it can be mailed or opened on a machine without network.
    """
    # Closed before the (slow, 5 MB) write so the warehouse is held no longer than the reads.
    with warehouse.connect(read_only=True) as conn:
        frames = load_dashboard_frames(conn)
        triage_frames = load_triage_frames(conn)
    built = _charts(frames) + _triage_charts(triage_frames)
    target = write_dashboard(
        Path(config.path) if config.path else reports_dir() / "dashboard.html",
        [(chart.heading, chart.figure) for chart in built],
        title=DASHBOARD_TITLE,
        generated_at=datetime.now(UTC),
    )
    # The figures cannot be rendered to images here (kaleido >= 1 needs a Chrome install), so
    # the UI shows the numbers behind each chart instead.
    tables = {
        chart.key: dg.MetadataValue.md(
            markdown_table(charts.plotted_numbers(chart.figure, rows=TABLE_ROWS, latest=chart.latest))
        )
        for chart in built
    }
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "dagster/uri": target.resolve().as_uri(),
            "chart_count": len(built),
            "size_mb": round(target.stat().st_size / 1e6, 1),
            **tables,
        }
    )


def _triage_charts(frames: TriageFrames) -> list[_Chart]:
    return [
        _Chart(
            "triage_time_to_first_comment",
            "Triage: time to first comment",
            charts.triage_time_to_first_comment(frames.first_comment),
            latest=True,
        ),
        _Chart(
            "triage_completeness",
            "Triage: complete at creation",
            charts.triage_completeness(frames.completeness),
            latest=False,
        ),
        _Chart(
            "triage_completed_after_comment",
            "Triage: completed after the comment",
            charts.triage_completed_after_comment(frames.followups),
            latest=False,
        ),
    ]
