"""Plotly figures of the marts: pure functions of a polars frame, no I/O.

Every function accepts an empty frame (or one without the rows it plots) and then returns a
figure that says "no data", so a dashboard of a fresh warehouse still renders.
"""

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

NO_DATA = "no data"
TEMPLATE_LABEL_CHARS = 40
FLOW_COLORS = {"done": "#2ca02c", "indeterminate": "#1f77b4", "new": "#ff7f0e"}


def _figure(title: str, x_title: str, y_title: str, *, secondary: bool = False) -> go.Figure:
    figure = make_subplots(specs=[[{"secondary_y": True}]]) if secondary else go.Figure()
    figure.update_layout(
        title={"text": title},
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "y": -0.2},
        template="plotly_white",
        # Korean request templates need a CJK font wherever the dashboard is opened
        font={"family": "Noto Sans KR, Malgun Gothic, Apple SD Gothic Neo, Arial, sans-serif"},
    )
    return figure


def _no_data(figure: go.Figure) -> go.Figure:
    figure.add_annotation(
        text=NO_DATA,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font={"size": 18},
    )
    return figure


def _all_categories(monthly_ops: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """The 'all' rows by month, or an empty frame when the columns needed are missing."""
    if monthly_ops.is_empty() or not {"month", "category", *columns} <= set(monthly_ops.columns):
        return pl.DataFrame()
    return monthly_ops.filter(pl.col("category") == "all").sort("month")


def category_distribution(tickets: pl.DataFrame) -> go.Figure:
    """Tickets per category, largest first, from fct_tickets rows (one per ticket).

    Ticket rows rather than counts so the caller needs no SQL of its own; only `category`
    is read.
    """
    figure = _figure("Tickets per category", "category", "tickets")
    if tickets.is_empty() or "category" not in tickets.columns:
        return _no_data(figure)
    counts = (
        tickets.group_by("category")
        .len(name="tickets")
        .sort(["tickets", "category"], descending=[True, False])
    )
    figure.add_trace(
        go.Bar(
            x=counts["category"].to_list(),
            y=counts["tickets"].to_list(),
            name="tickets",
            text=counts["tickets"].to_list(),
        )
    )
    return figure


def throughput_and_lead_time(monthly_ops: pl.DataFrame) -> go.Figure:
    """Created vs delivered per month (bars, closed-without-work beside them), median and p85
    lead time of the delivered tickets (lines, right axis).

    Delivered is the throughput: each ticket once, in the month of its final resolution, when
    that resolution means work was done; resolution events would count rework as output.
    """
    figure = _figure("Throughput and lead time per month", "month", "tickets", secondary=True)
    columns = (
        "created_count",
        "delivered_count",
        "closed_without_work_count",
        "median_lead_time_hours",
        "p85_lead_time_hours",
    )
    months = _all_categories(monthly_ops, columns)
    if months.is_empty():
        return _no_data(figure)
    x = months["month"].to_list()
    figure.add_trace(go.Bar(x=x, y=months["created_count"].to_list(), name="created"))
    figure.add_trace(go.Bar(x=x, y=months["delivered_count"].to_list(), name="delivered"))
    figure.add_trace(
        go.Bar(x=x, y=months["closed_without_work_count"].to_list(), name="closed without work")
    )
    for column, name, dash in (
        ("median_lead_time_hours", "median lead time", "solid"),
        ("p85_lead_time_hours", "p85 lead time", "dot"),
    ):
        figure.add_trace(
            go.Scatter(
                x=x,
                y=months[column].to_list(),
                name=name,
                mode="lines+markers",
                line={"dash": dash},
            ),
            secondary_y=True,
        )
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="category")  # "2025-10" is a month, not a date to interpolate
    figure.update_yaxes(title_text="lead time (hours)", secondary_y=True)
    return figure


def _template_label(rank: int, template: str) -> str:
    # The rank keeps labels unique: one template can recur under several components, and
    # plotly would merge bars that share a category label.
    short = (
        template
        if len(template) <= TEMPLATE_LABEL_CHARS
        else template[: TEMPLATE_LABEL_CHARS - 1] + "…"
    )
    return f"{rank}. {short}"


def toil_pareto(toil: pl.DataFrame, top_n: int = 15) -> go.Figure:
    """The top `top_n` toil candidates by handling hours, with the cumulative share of all.

    The share is of every candidate's hours, so the line shows how much the top ones cover.
    """
    figure = _figure(
        f"Toil pareto: top {top_n} request templates by handling hours",
        "request template",
        "handling hours (logged work, else working hours in progress)",
        secondary=True,
    )
    if toil.is_empty() or not {"request_template", "total_handling_hours"} <= set(toil.columns):
        return _no_data(figure)
    ranked = toil.select(
        "request_template", pl.col("total_handling_hours").fill_null(0.0).cast(pl.Float64)
    ).sort(["total_handling_hours", "request_template"], descending=[True, False])
    total = ranked["total_handling_hours"].sum()
    top = ranked.head(top_n).with_columns(
        (pl.col("total_handling_hours").cum_sum() / (total or 1.0)).alias("cumulative_share")
    )
    labels = [
        _template_label(rank, template)
        for rank, template in enumerate(top["request_template"].to_list(), start=1)
    ]
    figure.add_trace(
        go.Bar(x=labels, y=top["total_handling_hours"].to_list(), name="handling hours")
    )
    figure.add_trace(
        go.Scatter(
            x=labels,
            y=top["cumulative_share"].to_list(),
            name="cumulative share of all hours",
            mode="lines+markers",
        ),
        secondary_y=True,
    )
    figure.update_yaxes(
        title_text="cumulative share", tickformat=".0%", range=[0, 1.05], secondary_y=True
    )
    figure.update_xaxes(tickangle=-30)
    return figure


def backlog_and_aging(monthly_ops: pl.DataFrame) -> go.Figure:
    """Open tickets at each month end and those older than 30 days; median age on the right."""
    figure = _figure("Backlog and its age at month end", "month", "open tickets", secondary=True)
    columns = ("backlog_at_month_end", "backlog_older_than_30d", "median_backlog_age_days")
    months = _all_categories(monthly_ops, columns)
    if months.is_empty():
        return _no_data(figure)
    x = months["month"].to_list()
    figure.add_trace(go.Bar(x=x, y=months["backlog_at_month_end"].to_list(), name="backlog"))
    figure.add_trace(
        go.Bar(x=x, y=months["backlog_older_than_30d"].to_list(), name="older than 30 days")
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=months["median_backlog_age_days"].to_list(),
            name="median age (days)",
            mode="lines+markers",
        ),
        secondary_y=True,
    )
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="category")  # "2025-10" is a month, not a date to interpolate
    figure.update_yaxes(title_text="median age (days)", secondary_y=True)
    return figure


def cumulative_flow(daily_flow: pl.DataFrame) -> go.Figure:
    """Tickets per status category at each day's end, stacked: done at the bottom, new on top."""
    figure = _figure("Cumulative flow", "day", "tickets")
    if daily_flow.is_empty() or not {"day", "status_category", "ticket_count"} <= set(
        daily_flow.columns
    ):
        return _no_data(figure)
    present = set(daily_flow["status_category"].drop_nulls().to_list())
    order = [c for c in FLOW_COLORS if c in present] + sorted(present - set(FLOW_COLORS))
    for category in order:
        rows = daily_flow.filter(pl.col("status_category") == category).sort("day")
        figure.add_trace(
            go.Scatter(
                x=rows["day"].to_list(),
                y=rows["ticket_count"].to_list(),
                name=category,
                mode="lines",
                stackgroup="flow",
                line={"width": 0.5, "color": FLOW_COLORS.get(category)},
            )
        )
    return figure


def plotted_numbers(figure: go.Figure, *, rows: int = 10, latest: bool = False) -> pl.DataFrame:
    """The x values and every trace's y values of a figure, as one frame (first or last `rows`).

    Lets a caller show the numbers behind a chart where the chart itself cannot be shown.
    """
    traces = [t for t in figure.data if getattr(t, "x", None) is not None]
    if not traces:
        return pl.DataFrame({"x": []}, schema={"x": pl.String})
    x = [str(value) for value in traces[0].x]
    columns: dict[str, list[object]] = {"x": list(x)}
    for trace in traces:
        values = dict(zip((str(v) for v in trace.x), trace.y, strict=True))
        columns[str(trace.name)] = [values.get(key) for key in x]
    frame = pl.DataFrame(columns, strict=False)
    return frame.tail(rows) if latest else frame.head(rows)


def triage_time_to_first_comment(first_comment: pl.DataFrame) -> go.Figure:
    """Seconds from ticket creation to the triage bot's first comment, median and p95 per day
    (all categories), with the tickets commented on as bars."""
    figure = _figure("Triage: time to first comment", "day", "tickets commented", secondary=True)
    columns = {"day", "category", "commented_ticket_count", "median_seconds_to_first_comment"}
    if first_comment.is_empty() or not columns <= set(first_comment.columns):
        return _no_data(figure)
    days = first_comment.filter(pl.col("category") == "all").sort("day")
    if days.is_empty():
        return _no_data(figure)
    x = [str(day) for day in days["day"].to_list()]
    figure.add_trace(
        go.Bar(x=x, y=days["commented_ticket_count"].to_list(), name="tickets commented")
    )
    for column, name, dash in (
        ("median_seconds_to_first_comment", "median seconds", "solid"),
        ("p95_seconds_to_first_comment", "p95 seconds", "dot"),
    ):
        if column in days.columns:
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=days[column].to_list(),
                    name=name,
                    mode="lines+markers",
                    line={"dash": dash},
                ),
                secondary_y=True,
            )
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text="seconds", secondary_y=True)
    return figure


def triage_completeness(completeness: pl.DataFrame) -> go.Figure:
    """Share of tickets per category that had every required field when they arrived."""
    figure = _figure("Triage: complete at creation", "category", "share of tickets")
    if completeness.is_empty() or not {"category", "complete_at_creation_rate"} <= set(
        completeness.columns
    ):
        return _no_data(figure)
    rows = completeness.sort(["category"])
    figure.add_trace(
        go.Bar(
            x=rows["category"].to_list(),
            y=rows["complete_at_creation_rate"].to_list(),
            name="complete at creation",
            text=[f"{rate:.0%}" for rate in rows["complete_at_creation_rate"].to_list()],
        )
    )
    figure.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return figure


def triage_completed_after_comment(followups: pl.DataFrame) -> go.Figure:
    """Per category: tickets the bot asked about, and those the requester then completed."""
    figure = _figure("Triage: completed after the comment", "category", "tickets")
    columns = {"category", "commented_ticket_count", "completed_after_comment_count"}
    if followups.is_empty() or not columns <= set(followups.columns):
        return _no_data(figure)
    rows = followups.sort("category")
    x = rows["category"].to_list()
    figure.add_trace(go.Bar(x=x, y=rows["commented_ticket_count"].to_list(), name="asked"))
    figure.add_trace(
        go.Bar(x=x, y=rows["completed_after_comment_count"].to_list(), name="completed after")
    )
    figure.update_layout(barmode="group")
    return figure
