"""Delivered work, closed-without-work and rework, in a Seoul team's days and months.

Every expected value below was worked out by hand from the tickets' timestamps (KST = UTC+9).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from jira_builders import issue, load_and_build, write_page

from ticket_analytics.warehouse.connection import connect

MONTHS = ["2025-09", "2025-10", "2025-11"]


def _resolution(ticket: dict[str, Any], name: str) -> dict[str, Any]:
    ticket["fields"]["resolution"] = {"name": name}
    return ticket


TICKETS = [
    # Reopened once, resolved again: delivered once (October), two resolution events.
    _resolution(
        issue(
            "OPS-1",
            "2025-10-01T09:00:00.000+0900",
            transitions=[
                ("2025-10-01T10:00:00.000+0900", "Open", "In Progress"),
                ("2025-10-02T09:00:00.000+0900", "In Progress", "Resolved"),
                ("2025-10-03T09:00:00.000+0900", "Resolved", "Reopened"),
                ("2025-10-03T10:00:00.000+0900", "Reopened", "In Progress"),
                ("2025-10-03T12:00:00.000+0900", "In Progress", "Resolved"),
            ],
            resolved="2025-10-03T12:00:00.000+0900",
        ),
        "Done",
    ),
    # Out of the backlog in September, back in November: a resolution event, never delivered.
    issue(
        "OPS-2",
        "2025-09-10T10:00:00.000+0900",
        transitions=[
            ("2025-09-20T10:00:00.000+0900", "Open", "Resolved"),
            ("2025-11-05T10:00:00.000+0900", "Resolved", "Reopened"),
        ],
    ),
    # Started, put back into the backlog, started again: cycle time runs from the first start.
    _resolution(
        issue(
            "OPS-3",
            "2025-10-06T09:00:00.000+0900",
            transitions=[
                ("2025-10-06T10:00:00.000+0900", "Open", "In Progress"),
                ("2025-10-06T12:00:00.000+0900", "In Progress", "Open"),
                ("2025-10-07T14:00:00.000+0900", "Open", "In Progress"),
                ("2025-10-07T16:00:00.000+0900", "In Progress", "Resolved"),
            ],
            resolved="2025-10-07T16:00:00.000+0900",
        ),
        "Done",
    ),
    # To Do -> Done as Won't Do: closed without work, no cycle time.
    _resolution(
        issue(
            "OPS-4",
            "2025-10-10T10:00:00.000+0900",
            transitions=[("2025-10-11T10:00:00.000+0900", "Open", "Closed")],
            resolved="2025-10-11T10:00:00.000+0900",
        ),
        "Won't Do",
    ),
    # To Do -> Done as Done (a quick grant nobody moved to In Progress): delivered, no cycle time.
    _resolution(
        issue(
            "OPS-5",
            "2025-10-14T10:00:00.000+0900",
            transitions=[("2025-10-14T11:00:00.000+0900", "Open", "Resolved")],
            resolved="2025-10-14T11:00:00.000+0900",
        ),
        "Done",
    ),
    # Completed at 08:30 KST on 1 November: 2025-10-31 23:30 UTC, but November in Seoul.
    _resolution(
        issue(
            "OPS-6",
            "2025-10-31T20:00:00.000+0900",
            transitions=[
                ("2025-10-31T21:00:00.000+0900", "Open", "In Progress"),
                ("2025-11-01T08:30:00.000+0900", "In Progress", "Resolved"),
            ],
            resolved="2025-11-01T08:30:00.000+0900",
        ),
        "Done",
    ),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("delivered")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TA_TIMEZONE", "Asia/Seoul")
        with connect(root / "w.duckdb") as conn:
            load_and_build(conn, write_page(root / "page.json", TICKETS), months=MONTHS)
            yield conn


def _ticket(conn: duckdb.DuckDBPyConnection, key: str) -> dict[str, Any]:
    relation = conn.sql("select * from fct_tickets where issue_key = ?", params=[key])
    return dict(zip(relation.columns, relation.fetchall()[0], strict=True))


def _month(conn: duckdb.DuckDBPyConnection, month: str) -> dict[str, Any]:
    relation = conn.sql(
        "select * from fct_monthly_ops where category = 'all' and month = ?", params=[month]
    )
    return dict(zip(relation.columns, relation.fetchall()[0], strict=True))


def test_a_reopened_ticket_is_delivered_once_and_its_rework_shows_as_events(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    ticket = _ticket(warehouse, "OPS-1")
    assert (ticket["is_delivered"], ticket["reopen_count"], ticket["resolution_count"]) == (
        True,
        1,
        2,
    )
    assert ticket["cycle_time_hours"] == pytest.approx(50.0)


def test_never_started_tickets_have_a_lead_time_but_no_cycle_time(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    wont_do, quick = _ticket(warehouse, "OPS-4"), _ticket(warehouse, "OPS-5")
    assert wont_do["lead_time_hours"] == pytest.approx(24.0)
    assert wont_do["cycle_time_hours"] is None and quick["cycle_time_hours"] is None
    assert (wont_do["is_delivered"], wont_do["is_closed_without_work"]) == (False, True)
    assert (quick["is_delivered"], quick["is_closed_without_work"]) == (True, False)


def test_a_backlog_round_trip_counts_cycle_time_from_the_first_start(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    ticket = _ticket(warehouse, "OPS-3")
    assert ticket["cycle_time_hours"] == pytest.approx(30.0)
    # in progress 10:00-12:00 on the 6th and 14:00-16:00 on the 7th, a Monday and Tuesday
    assert ticket["active_working_hours"] == pytest.approx(4.0)


def test_monthly_delivered_counts_each_ticket_once_at_its_final_resolution(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    september, october, november = (_month(warehouse, m) for m in MONTHS)
    # OPS-2 resolved in September but is open again: an event, not a delivery
    assert (september["delivered_count"], september["resolution_events"]) == (0, 1)
    assert september["backlog_at_month_end"] == 0
    # OPS-1 (twice), OPS-3, OPS-5 and OPS-4 (Won't Do) resolved in October
    assert october["delivered_count"] == 3
    assert october["closed_without_work_count"] == 1
    assert october["resolution_events"] == 5
    assert october["reopened_count"] == 1
    assert october["reopen_rate"] == pytest.approx(1 / 3)
    # OPS-6 is still in progress at 2025-11-01 00:00 KST
    assert october["backlog_at_month_end"] == 1
    # lead times of the delivered: OPS-1 51 h, OPS-3 31 h, OPS-5 1 h; Won't Do's 24 h is left out
    assert october["median_lead_time_hours"] == pytest.approx(31.0)
    assert october["median_cycle_time_hours"] == pytest.approx(40.0)
    # OPS-6 at 08:30 KST on the 1st; OPS-2 reopened on the 5th is in November's backlog
    assert (november["delivered_count"], november["resolution_events"]) == (1, 1)
    assert november["backlog_at_month_end"] == 1
    assert november["delivered_change_pct"] == pytest.approx((1 - 3) / 3)


def test_a_completion_before_nine_in_seoul_counts_on_that_local_day(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    done = dict(
        warehouse.sql(
            "select day, ticket_count from fct_daily_flow where status_category = 'done'"
            " and day between '2025-10-31' and '2025-11-01'"
        ).fetchall()
    )
    # OPS-2 (until its reopening), OPS-1, 3, 4, 5 done; OPS-6 joins on 1 November, Seoul time
    assert done == {date(2025, 10, 31): 5, date(2025, 11, 1): 6}
    stored = warehouse.sql(
        "select resolved_at at time zone 'UTC' from fct_tickets where issue_key = 'OPS-6'"
    ).fetchall()
    assert str(stored[0][0]) == "2025-10-31 23:30:00"


def test_the_same_completion_counts_in_october_for_a_utc_team(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.delenv("TA_TIMEZONE", raising=False)
        with connect(tmp_path / "w.duckdb") as conn:
            load_and_build(
                conn, write_page(tmp_path / "page.json", TICKETS[-1:]), months=["2025-10"]
            )
            october = conn.sql(
                "select delivered_count from fct_monthly_ops"
                " where month = '2025-10' and category = 'all'"
            ).fetchall()
    assert october == [(1,)]
