"""Cumulative flow on four hand-made tickets whose daily counts were worked out by hand."""

from datetime import date

import duckdb
import pytest
from jira_builders import issue, load_and_build, write_page

from ticket_analytics.catalog import default_catalog
from ticket_analytics.warehouse.catalog_tables import write_catalog
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.file_ingest import ingest_files
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.models import build_project

TICKETS = [
    issue(
        "OPS-1",
        "2025-10-01T09:00:00.000+0000",
        transitions=[
            ("2025-10-02T09:00:00.000+0000", "Open", "In Progress"),
            ("2025-10-04T09:00:00.000+0000", "In Progress", "Resolved"),
        ],
        resolved="2025-10-04T09:00:00.000+0000",
    ),
    issue("OPS-2", "2025-10-02T10:00:00.000+0000"),
    # In Progress -> Waiting for Customer stays in one category: no change in the flow.
    issue(
        "OPS-3",
        "2025-10-03T09:00:00.000+0000",
        transitions=[
            ("2025-10-03T10:00:00.000+0000", "Open", "In Progress"),
            ("2025-10-05T09:00:00.000+0000", "In Progress", "Waiting for Customer"),
        ],
    ),
    # Created, started and resolved on one day, then reopened: it ends 10-03 in done.
    issue(
        "OPS-4",
        "2025-10-03T09:00:00.000+0000",
        transitions=[
            ("2025-10-03T11:00:00.000+0000", "Open", "In Progress"),
            ("2025-10-03T12:00:00.000+0000", "In Progress", "Resolved"),
            ("2025-10-05T10:00:00.000+0000", "Resolved", "Reopened"),
        ],
    ),
]

# (new, indeterminate, done) at the end of each day, counted ticket by ticket.
EXPECTED = {
    date(2025, 10, 1): (1, 0, 0),
    date(2025, 10, 2): (1, 1, 0),
    date(2025, 10, 3): (1, 2, 1),
    date(2025, 10, 4): (1, 1, 2),
    date(2025, 10, 5): (2, 1, 1),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("daily_flow")
    page = write_page(root / "page.json", TICKETS)
    with connect(root / "w.duckdb") as conn:
        load_and_build(conn, page)
        yield conn


def _flow(conn: duckdb.DuckDBPyConnection) -> dict[date, tuple[int, int, int]]:
    rows = conn.sql(
        """
        select
            day,
            sum(ticket_count) filter (where status_category = 'new'),
            sum(ticket_count) filter (where status_category = 'indeterminate'),
            sum(ticket_count) filter (where status_category = 'done')
        from fct_daily_flow
        group by day
        order by day
        """
    ).fetchall()
    return {day: (int(new), int(active), int(done)) for day, new, active, done in rows}


def test_daily_counts_follow_each_ticket_from_creation_to_the_as_of_day(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    assert _flow(warehouse) == EXPECTED


def test_every_day_has_one_row_per_category(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.sql(
        "select count(*), count(distinct (day, status_category)) from fct_daily_flow"
    ).fetchall()
    assert rows == [(15, 15)]


def test_a_deleted_ticket_leaves_the_flow(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("daily_flow_deleted")
    with connect(root / "w.duckdb") as conn:
        ingest_files(conn, write_page(root / "page.json", TICKETS))
        conn.execute("update raw.issues set deleted_at = now() where issue_key = 'OPS-2'")
        write_catalog(conn, default_catalog())
        build_project(conn, load_project())
        flow = _flow(conn)
    assert flow[date(2025, 10, 5)] == (1, 1, 1)
