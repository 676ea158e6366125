"""Each chart plots the numbers of its mart and says "no data" instead of failing on none."""

from collections.abc import Callable
from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest

from ticket_analytics.reports import charts
from ticket_analytics.reports.frames import SCHEMAS

MONTHLY_OPS = pl.DataFrame(
    {
        "month": ["2025-10", "2025-09", "2025-09", "2025-10"],
        "category": ["all", "all", "rds", "rds"],
        "created_count": [12, 10, 4, 5],
        "delivered_count": [9, 8, 3, 2],
        "closed_without_work_count": [1, 0, 0, 1],
        "median_lead_time_hours": [20.0, 30.0, 1.0, 2.0],
        "p85_lead_time_hours": [50.0, None, 1.5, 2.5],
        "backlog_at_month_end": [7, 4, 1, 4],
        "backlog_older_than_30d": [2, 0, 0, 1],
        "median_backlog_age_days": [12.5, 6.0, 3.0, 4.0],
    }
)


def _traces(figure: go.Figure) -> list[tuple[str, str, list[object]]]:
    return [(trace.type, trace.name, list(trace.y)) for trace in figure.data]


def _annotations(figure: go.Figure) -> list[str]:
    return [annotation.text for annotation in figure.layout.annotations]


def test_category_distribution_counts_ticket_rows_largest_first() -> None:
    tickets = pl.DataFrame({"category": ["rds", "incident", "rds", "other", "rds", "incident"]})
    figure = charts.category_distribution(tickets)
    (bar,) = figure.data
    assert bar.type == "bar"
    assert list(bar.x) == ["rds", "incident", "other"]
    assert list(bar.y) == [3, 2, 1]
    assert figure.layout.title.text and figure.layout.yaxis.title.text == "tickets"


def test_throughput_plots_the_all_rows_by_month_with_lead_times_on_the_right() -> None:
    figure = charts.throughput_and_lead_time(MONTHLY_OPS)
    assert _traces(figure) == [
        ("bar", "created", [10, 12]),
        ("bar", "delivered", [8, 9]),
        ("bar", "closed without work", [0, 1]),
        ("scatter", "median lead time", [30.0, 20.0]),
        ("scatter", "p85 lead time", [None, 50.0]),
    ]
    assert list(figure.data[0].x) == ["2025-09", "2025-10"]
    assert [trace.yaxis or "y" for trace in figure.data] == ["y", "y", "y", "y2", "y2"]
    assert figure.layout.yaxis2.title.text == "lead time (hours)"


def test_backlog_and_aging_plots_backlog_bars_and_median_age_line() -> None:
    figure = charts.backlog_and_aging(MONTHLY_OPS)
    assert _traces(figure) == [
        ("bar", "backlog", [4, 7]),
        ("bar", "older than 30 days", [0, 2]),
        ("scatter", "median age (days)", [6.0, 12.5]),
    ]
    assert figure.data[2].yaxis == "y2"


def test_toil_pareto_ranks_by_hours_with_cumulative_share_of_all_candidates() -> None:
    toil = pl.DataFrame(
        {
            "request_template": ["a", "b", "a", "c" * 60],
            "total_handling_hours": [10.0, 50.0, 30.0, 10.0],
        }
    )
    figure = charts.toil_pareto(toil, top_n=3)
    bars, share = figure.data
    assert (bars.type, share.type) == ("bar", "scatter")
    assert list(bars.y) == [50.0, 30.0, 10.0]
    assert list(share.y) == pytest.approx([0.5, 0.8, 0.9])
    # a template recurring under another component keeps its own bar
    assert list(bars.x)[:2] == ["1. b", "2. a"]
    assert list(bars.x)[2] == "3. a"
    long_label = charts.toil_pareto(toil, top_n=4).data[0].x[3]
    assert long_label.endswith("…") and len(long_label) == len("4. ") + 40


def test_cumulative_flow_stacks_done_under_work_in_progress_under_new() -> None:
    days = [date(2025, 10, 1), date(2025, 10, 2)]
    flow = pl.DataFrame(
        {
            "day": days * 3,
            "status_category": ["new"] * 2 + ["indeterminate"] * 2 + ["done"] * 2,
            "ticket_count": [1, 1, 0, 1, 0, 2],
        }
    )
    figure = charts.cumulative_flow(flow)
    assert [(t.type, t.name, t.stackgroup) for t in figure.data] == [
        ("scatter", "done", "flow"),
        ("scatter", "indeterminate", "flow"),
        ("scatter", "new", "flow"),
    ]
    assert [list(t.y) for t in figure.data] == [[0, 2], [0, 1], [1, 1]]
    assert list(figure.data[0].x) == days


EMPTY_MARTS = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}
CHARTS: list[tuple[Callable[[pl.DataFrame], go.Figure], str]] = [
    (charts.category_distribution, "fct_tickets"),
    (charts.throughput_and_lead_time, "fct_monthly_ops"),
    (charts.toil_pareto, "fct_toil_candidates"),
    (charts.backlog_and_aging, "fct_monthly_ops"),
    (charts.cumulative_flow, "fct_daily_flow"),
]


def _assert_no_data(figure: go.Figure) -> None:
    assert _annotations(figure) == [charts.NO_DATA]
    assert figure.data == ()
    assert figure.layout.title.text
    figure.to_json()


@pytest.mark.parametrize(("chart", "mart"), CHARTS)
def test_an_empty_mart_gives_a_titled_figure_saying_no_data(
    chart: Callable[[pl.DataFrame], go.Figure], mart: str
) -> None:
    _assert_no_data(chart(EMPTY_MARTS[mart]))
    _assert_no_data(chart(pl.DataFrame()))


@pytest.mark.parametrize("chart", [charts.throughput_and_lead_time, charts.backlog_and_aging])
def test_monthly_charts_without_all_category_rows_say_no_data(
    chart: Callable[[pl.DataFrame], go.Figure],
) -> None:
    _assert_no_data(chart(MONTHLY_OPS.filter(pl.col("category") != "all")))


def test_plotted_numbers_lists_each_traces_values_by_x() -> None:
    figure = charts.throughput_and_lead_time(MONTHLY_OPS)
    numbers = charts.plotted_numbers(figure, rows=1, latest=True)
    assert numbers.to_dicts() == [
        {
            "x": "2025-10",
            "created": 12,
            "delivered": 9,
            "closed without work": 1,
            "median lead time": 20.0,
            "p85 lead time": 50.0,
        }
    ]
    assert charts.plotted_numbers(charts.cumulative_flow(pl.DataFrame())).is_empty()
