"""reports/business.html: business and infra metrics on one time axis, next to incidents."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import polars as pl

from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.defs.selections import BIZMETRICS
from ticket_analytics.paths import reports_dir
from ticket_analytics.reports.business import read_frames, write_business_dashboard

TABLE_ROWS = 12


class BusinessDashboardConfig(dg.Config):
    path: str = ""
    """Where to write the HTML; empty means business.html in the reports folder (TA_REPORTS_DIR)."""


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value if value is not None else "").replace("|", "\\|")


def _markdown(frame: pl.DataFrame) -> str:
    if frame.is_empty():
        return "_no data_"
    header = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    return header + "".join(
        "| " + " | ".join(_cell(v) for v in row) + " |\n" for row in frame.iter_rows()
    )


def _summary(hourly: pl.DataFrame, incidents: pl.DataFrame, anomalies: pl.DataFrame) -> str:
    if hourly.is_empty():
        return "_no business events yet_"
    daily = (
        hourly.group_by(pl.col("hour").dt.date().alias("day"))
        .agg(
            pl.col("event_count").sum().alias("events"),
            pl.col("failure_count").sum().alias("failures"),
            pl.col("amount_sum").sum().alias("amount"),
            pl.col("cpu_max").max().alias("cpu_max"),
        )
        .sort("day")
        .tail(TABLE_ROWS)
    )
    return _markdown(daily)


def _anomaly_table(anomalies: pl.DataFrame) -> str:
    wanted = ["hour", "series", "direction", "value", "baseline_avg", "incident_issue_key"]
    if anomalies.is_empty() or not set(wanted) <= set(anomalies.columns):
        return "_no anomalies_"
    ranked = anomalies.sort(pl.col("z_score").abs(), descending=True).head(TABLE_ROWS)
    return _markdown(ranked.sort("hour").select(wanted))


@dg.asset(
    group_name=BIZMETRICS,
    kinds={"plotly", "html"},
    deps=[
        dg.AssetKey("fct_biz_infra_hourly"),
        dg.AssetKey("fct_biz_anomalies"),
        dg.AssetKey("fct_tickets"),
    ],
)
def business_dashboard_html(
    config: BusinessDashboardConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One offline HTML file (reports/business.html): business panels on top (events and
    failures, amounts, p95 latency), infra below (CPU, error rate), one shared time axis,
    incident tickets as markers with their keys and anomaly hours shaded.

    When "revenue dropped", this is where business, infrastructure and the incident tickets
    are seen together.
    """
    # closed before the (slow, 5 MB) write so the warehouse is held no longer than the reads
    with warehouse.connect(read_only=True) as conn:
        hourly, incidents, anomalies = read_frames(conn)
    target = write_business_dashboard(
        Path(config.path) if config.path else reports_dir() / "business.html",
        hourly,
        incidents,
        anomalies,
        generated_at=datetime.now(UTC),
    )
    linked = (
        anomalies.filter(pl.col("incident_issue_key").is_not_null())
        if anomalies.height
        else anomalies
    )
    # kaleido >= 1 needs a Chrome install to render an image, so the UI gets the numbers
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "dagster/uri": target.resolve().as_uri(),
            "size_mb": round(target.stat().st_size / 1e6, 1),
            "hours": hourly.height,
            "incident_tickets": incidents.height,
            "anomalies": anomalies.height,
            "anomalies_near_an_incident": linked.height,
            "incidents": dg.MetadataValue.md(
                _markdown(incidents.sort("created_at")) if incidents.height else "_none_"
            ),
            "daily_totals": dg.MetadataValue.md(_summary(hourly, incidents, anomalies)),
            "largest_anomalies": dg.MetadataValue.md(_anomaly_table(anomalies)),
        }
    )
