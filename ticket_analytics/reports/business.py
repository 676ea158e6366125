"""`reports/business.html`: business and infra metrics on one shared time axis.

Business panels on top (events and failures, amounts, p95 latency), infra below (CPU, error
rate); incident tickets are vertical markers labelled with their keys on every panel, and
anomaly hours are shaded. Pure functions of polars frames; `write_business_dashboard` is the
only I/O, through the dashboard writer (plotly.js inlined, opens offline).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ticket_analytics.reports.dashboard import write_dashboard

TITLE = "Business metrics, infrastructure and incidents"
NO_DATA = "no data"
ANOMALY_COLOR = "rgba(214, 39, 40, 0.15)"
INCIDENT_COLOR = "#d62728"
_PANELS = (
    ("events / failures per hour", (("event_count", "events"), ("failure_count", "failures"))),
    ("amount per hour", (("amount_sum", "amount"),)),
    ("p95 latency (ms)", (("latency_p95_ms", "p95 latency"),)),
    ("CPU (mean / max host)", (("cpu_avg", "cpu mean"), ("cpu_max", "cpu max"))),
    ("error rate", (("error_rate_avg", "error rate"),)),
)
_INFRA_FROM = 3  # panels from this index on are infrastructure
_HOUR = timedelta(hours=1)


def _columns(frame: pl.DataFrame, wanted: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(column, label) for column, label in wanted if column in frame.columns]


def business_figure(
    hourly: pl.DataFrame, incidents: pl.DataFrame, anomalies: pl.DataFrame
) -> go.Figure:
    """Stacked panels sharing one x axis, from fct_biz_infra_hourly rows (hour, metrics),
    incident tickets (issue_key, created_at) and fct_biz_anomalies rows (hour, series)."""
    titles = [
        f"{'infra' if i >= _INFRA_FROM else 'business'}: {t}" for i, (t, _) in enumerate(_PANELS)
    ]
    figure = make_subplots(
        rows=len(_PANELS), cols=1, shared_xaxes=True, vertical_spacing=0.035, subplot_titles=titles
    )
    figure.update_layout(
        template="plotly_white",
        height=260 * len(_PANELS),
        legend={"orientation": "h", "y": 1.04},
        hovermode="x unified",
        font={"family": "Noto Sans KR, Malgun Gothic, Apple SD Gothic Neo, Arial, sans-serif"},
    )
    if hourly.is_empty() or "hour" not in hourly.columns:
        figure.add_annotation(
            text=NO_DATA, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False
        )
        return figure
    hourly = hourly.sort("hour")
    hours = hourly["hour"].to_list()
    for row, (_, wanted) in enumerate(_PANELS, start=1):
        for column, label in _columns(hourly, wanted):
            figure.add_trace(
                go.Scatter(x=hours, y=hourly[column].to_list(), name=label, mode="lines"),
                row=row,
                col=1,
            )
    _shade_anomalies(figure, anomalies)
    _mark_incidents(figure, incidents)
    return figure


def _shade_anomalies(figure: go.Figure, anomalies: pl.DataFrame) -> None:
    if anomalies.is_empty() or not {"hour", "series"} <= set(anomalies.columns):
        return
    per_hour = anomalies.group_by("hour").agg(pl.col("series").sort().alias("series")).sort("hour")
    for hour in per_hour["hour"].to_list():
        # one band over all panels: the point is to see business and infra move together
        figure.add_vrect(
            x0=hour,
            x1=hour + _HOUR,
            fillcolor=ANOMALY_COLOR,
            line_width=0,
            layer="below",
            row="all",
            col=1,
        )
    figure.add_trace(
        go.Scatter(
            x=per_hour["hour"].to_list(),
            y=[0] * per_hour.height,
            mode="markers",
            marker={"color": INCIDENT_COLOR, "symbol": "triangle-up", "size": 9},
            name="anomaly",
            text=["<br>".join(s) for s in per_hour["series"].to_list()],
            hovertemplate="%{x}<br>%{text}<extra>anomaly</extra>",
        ),
        row=1,
        col=1,
    )


def _mark_incidents(figure: go.Figure, incidents: pl.DataFrame) -> None:
    if incidents.is_empty() or not {"issue_key", "created_at"} <= set(incidents.columns):
        return
    for key, created_at in (
        incidents.select("issue_key", "created_at").sort("created_at").iter_rows()
    ):
        figure.add_vline(
            x=created_at,
            line={"color": INCIDENT_COLOR, "dash": "dot", "width": 1},
            row="all",
            col=1,
        )
        figure.add_annotation(
            x=created_at,
            y=1.0,
            yref="y domain",
            text=key,
            showarrow=False,
            font={"color": INCIDENT_COLOR, "size": 11},
            xanchor="left",
            yanchor="bottom",
            row=1,
            col=1,
        )


def anomaly_table(anomalies: pl.DataFrame, limit: int = 30) -> go.Figure:
    """The largest anomalies with their nearest incident ticket, as a table."""
    figure = go.Figure()
    columns = ["hour", "series", "direction", "value", "baseline_avg", "incident_issue_key"]
    if anomalies.is_empty() or not set(columns) <= set(anomalies.columns):
        figure.add_annotation(
            text=NO_DATA, x=0.5, y=0.5, showarrow=False, xref="paper", yref="paper"
        )
        return figure
    top = anomalies.sort(pl.col("z_score").abs() if "z_score" in anomalies.columns else "hour",
                         descending=True).head(limit).sort("hour")  # fmt: skip
    cells = [
        [str(v) for v in top["hour"].to_list()],
        top["series"].to_list(),
        top["direction"].to_list(),
        [f"{v:,.2f}" for v in top["value"].to_list()],
        [f"{v:,.2f}" if v is not None else "" for v in top["baseline_avg"].to_list()],
        [v or "" for v in top["incident_issue_key"].to_list()],
    ]
    figure.add_trace(go.Table(header={"values": columns}, cells={"values": cells}))
    figure.update_layout(template="plotly_white", title={"text": "Largest anomalies"})
    return figure


def read_frames(conn: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, ...]:
    """(hourly grid, incident tickets in its range, anomalies) from a built warehouse."""
    hourly = conn.sql("select * from fct_biz_infra_hourly order by hour").pl()
    incidents = conn.sql(
        "select issue_key, created_at from fct_tickets where category = 'incident'"
        " and created_at between (select min(hour) from fct_biz_infra_hourly)"
        " and (select max(hour) from fct_biz_infra_hourly) + interval 1 hour"
    ).pl()
    anomalies = conn.sql("select * from fct_biz_anomalies order by hour").pl()
    return hourly, incidents, anomalies


def write_business_dashboard(
    path: Path,
    hourly: pl.DataFrame,
    incidents: pl.DataFrame,
    anomalies: pl.DataFrame,
    *,
    generated_at: datetime | None = None,
) -> Path:
    """Write the page atomically to `path` (e.g. reports/business.html); returns the path."""
    figures = [
        (
            "Business and infrastructure, one time axis",
            business_figure(hourly, incidents, anomalies),
        ),
        ("Anomalies and the nearest incident", anomaly_table(anomalies)),
    ]
    return write_dashboard(path, figures, title=TITLE, generated_at=generated_at)
