"""Flow metrics on hand-made tickets whose every value was worked out by hand."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from jira_builders import REPORTER, TEAM, issue, load_and_build, write_page

from ticket_analytics.warehouse.connection import connect

TICKETS = [
    # Reopened once: In Progress 23 h, then 2 h after the reopening.
    issue(
        "OPS-1",
        "2025-10-01T09:00:00.000+0900",
        summary="Jenkins job 생성: order-api-build",
        transitions=[
            ("2025-10-01T10:00:00.000+0900", "Open", "In Progress"),
            ("2025-10-02T09:00:00.000+0900", "In Progress", "Resolved"),
            ("2025-10-03T09:00:00.000+0900", "Resolved", "Reopened"),
            ("2025-10-03T10:00:00.000+0900", "Reopened", "In Progress"),
            ("2025-10-03T12:00:00.000+0900", "In Progress", "Resolved"),
        ],
        resolved="2025-10-03T12:00:00.000+0900",
    ),
    # Still open at the end of October, waiting for the requester since the 31st.
    issue(
        "OPS-2",
        "2025-10-30T10:00:00.000+0000",
        summary="RDS postgres 신규 DB 생성 (stg)",
        transitions=[
            ("2025-10-30T12:00:00.000+0000", "Open", "In Progress"),
            ("2025-10-31T10:00:00.000+0000", "In Progress", "Waiting for Customer"),
        ],
        comments=[
            ("2025-10-30T11:00:00.000+0000", TEAM),
            ("2025-10-30T10:30:00.000+0000", REPORTER),
        ],
    ),
    # 08:30 on 1 November in Seoul is still 31 October in UTC.
    issue("OPS-3", "2025-11-01T08:30:00.000+0900", summary="grafana dashboard 권한"),
    # SLA boundary (devops_tools, High: 24 h): exactly 24 h is on time, one minute more is late.
    issue(
        "OPS-4",
        "2025-11-03T00:00:00.000+0000",
        summary="Jenkins job 생성: pay-api-build",
        priority="High",
        transitions=[("2025-11-04T00:00:00.000+0000", "Open", "Resolved")],
        resolved="2025-11-04T00:00:00.000+0000",
    ),
    issue(
        "OPS-5",
        "2025-11-03T00:00:00.000+0000",
        summary="Jenkins job 생성: auth-api-build",
        priority="High",
        transitions=[("2025-11-04T00:01:00.000+0000", "Open", "Resolved")],
        resolved="2025-11-04T00:01:00.000+0000",
    ),
    # Resolved in September, reopened in November: never in September's or October's backlog.
    issue(
        "OPS-6",
        "2025-09-10T00:00:00.000+0000",
        summary="Grafana dashboard 생성",
        transitions=[
            ("2025-09-20T00:00:00.000+0000", "Open", "Resolved"),
            ("2025-11-05T00:00:00.000+0000", "Resolved", "Reopened"),
        ],
    ),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("flow")
    page = write_page(root / "page.json", TICKETS)
    with connect(root / "w.duckdb") as conn:
        load_and_build(conn, page, months=["2025-09", "2025-10"])
        yield conn


def _ticket(conn: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any]:
    relation = conn.sql("select * from fct_tickets where issue_key = ?", params=[key])
    return dict(zip(relation.columns, relation.fetchall()[0], strict=True))


def _hours(conn: duckdb.DuckDBPyConnection, key: str) -> dict[str, tuple[float, int]]:
    rows = conn.execute(
        "select status, hours_in_status, visit_count from int_issues__status_durations where issue_key = ?",
        [key],
    ).fetchall()
    return {status: (round(hours, 4), visits) for status, hours, visits in rows}


def test_time_in_status_sums_every_visit_across_a_reopening(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    hours = _hours(warehouse, "OPS-1")
    assert hours["Open"] == (1.0, 1)
    assert hours["In Progress"] == (25.0, 2)
    assert hours["Reopened"] == (1.0, 1)
    assert hours["Resolved"][1] == 2


def test_reopened_ticket_metrics(warehouse: duckdb.DuckDBPyConnection) -> None:
    ticket = _ticket(warehouse, "OPS-1")
    assert ticket["reopen_count"] == 1
    assert ticket["lead_time_hours"] == pytest.approx(51.0)
    assert ticket["cycle_time_hours"] == pytest.approx(50.0)
    assert ticket["first_response_hours"] == pytest.approx(1.0)
    assert ticket["category"] == "devops_tools"


def test_an_open_ticket_accrues_time_until_the_as_of_time(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    ticket = _ticket(warehouse, "OPS-2")
    as_of = warehouse.sql("select max(updated_at) from stg_jira__issues").fetchall()[0][0]
    assert ticket["resolved_at"] is None and ticket["lead_time_hours"] is None
    assert ticket["clarification_rounds"] == 1
    assert ticket["comment_count"] == 2
    # the reporter's own comment at 10:30 is not a response; the team's at 11:00 is
    assert ticket["first_response_hours"] == pytest.approx(1.0)
    waiting_hours = (as_of - ticket["created_at"]).total_seconds() / 3600 - 24
    assert _hours(warehouse, "OPS-2")["Waiting for Customer"][0] == pytest.approx(waiting_hours)


def test_offsets_are_converted_to_utc_before_any_month_is_taken(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    created = warehouse.sql(
        "select strftime(created_at, '%Y-%m-%d %H:%M') from fct_tickets where issue_key = 'OPS-3'"
    ).fetchall()
    assert created == [("2025-10-31 23:30",)]


def test_sla_is_breached_only_past_the_target(warehouse: duckdb.DuckDBPyConnection) -> None:
    on_time, late = _ticket(warehouse, "OPS-4"), _ticket(warehouse, "OPS-5")
    assert on_time["sla_resolution_hours"] == late["sla_resolution_hours"] == 24
    assert on_time["lead_time_hours"] == 24 and on_time["is_sla_breached"] is False
    assert late["is_sla_breached"] is True
