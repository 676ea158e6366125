"""Toil hours a DevOps lead can believe: logged work where Jira has it, else working hours.

A Seoul team working 09:00-18:00, Monday to Friday; every value was worked out by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
from jira_builders import issue, load_and_build, write_page

from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.models import build_model


def _logged(ticket: dict[str, Any], seconds: list[int], total: int | None = None) -> dict[str, Any]:
    """Worklogs as Jira embeds them; `total` above their number means the list was cut."""
    worklogs = [{"timeSpentSeconds": s, "started": ticket["fields"]["created"]} for s in seconds]
    ticket["fields"]["worklog"] = {
        "startAt": 0,
        "maxResults": 20,
        "total": len(worklogs) if total is None else total,
        "worklogs": worklogs,
    }
    return ticket


def _worked(key: str, start: str, end: str, summary: str = "기타 문의") -> dict[str, Any]:
    """Picked up as it was created, in progress from `start` to `end`, then resolved."""
    return issue(
        key,
        start,
        summary=summary,
        transitions=[(start, "Open", "In Progress"), (end, "In Progress", "Resolved")],
        resolved=end,
    )


def _deploy(n: int, day: str, logged_minutes: int | None) -> dict[str, Any]:
    # in progress 10:00-15:00 on a weekday: five working hours when nobody logs work
    ticket = _worked(
        f"OPS-{n}",
        f"{day}T10:00:00.000+0900",
        f"{day}T15:00:00.000+0900",
        summary=f"deploy order-api v1.{n}.0 to prod",
    )
    if logged_minutes is None:
        return ticket
    return _logged(ticket, [logged_minutes * 60])


TICKETS = [
    # Two worklogs, 30 + 45 minutes, while in progress for 30 hours.
    _logged(
        _worked("OPS-1", "2025-10-06T10:00:00.000+0900", "2025-10-07T16:00:00.000+0900"),
        [1800, 2700],
    ),
    # 25 worklogs, Jira embedded 2: the issue's `timespent` (10 h) is the whole of them.
    _logged(
        _worked("OPS-2", "2025-10-06T10:00:00.000+0900", "2025-10-08T10:00:00.000+0900"),
        [600, 600],
        total=25,
    ),
    # Friday 17:00 to Monday 10:00, nothing logged: 2 working hours (one each side of the weekend).
    _worked("OPS-3", "2025-10-10T17:00:00.000+0900", "2025-10-13T10:00:00.000+0900"),
    # Thursday 17:00 to Monday 10:00 over Friday 3 October (a holiday once the seed has it).
    _worked("OPS-4", "2025-10-02T17:00:00.000+0900", "2025-10-06T10:00:00.000+0900"),
    # Five deploys of one template in two months: three logged 30/60/90 min, two not (5 h each).
    _deploy(11, "2025-10-14", 30),
    _deploy(12, "2025-10-21", 60),
    _deploy(13, "2025-10-28", None),
    _deploy(14, "2025-11-04", 90),
    _deploy(15, "2025-11-11", None),
]
TICKETS[1]["fields"]["timespent"] = 36_000


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("toil_hours")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TA_TIMEZONE", "Asia/Seoul")
        env.delenv("TA_WORK_DAYS", raising=False)
        env.delenv("TA_WORK_HOURS", raising=False)
        with connect(root / "w.duckdb") as conn:
            load_and_build(conn, write_page(root / "page.json", TICKETS))
            yield conn


def _hours(conn: duckdb.DuckDBPyConnection, key: str) -> tuple[Any, ...]:
    return conn.execute(
        "select handling_hours, hours_basis, logged_work_hours, active_working_hours"
        " from fct_tickets where issue_key = ?",
        [key],
    ).fetchall()[0]


def test_logged_work_is_the_handling_time_where_jira_has_it(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    handling, basis, logged, working = _hours(warehouse, "OPS-1")
    assert (basis, handling, logged) == ("worklog", pytest.approx(1.25), pytest.approx(1.25))
    # Mon 10:00-18:00 and Tue 09:00-16:00 in progress: kept beside it, not used
    assert working == pytest.approx(15.0)


def test_a_cut_worklog_list_gives_way_to_the_issues_time_spent(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    handling, basis, logged, _ = _hours(warehouse, "OPS-2")
    assert (basis, handling, logged) == ("worklog", pytest.approx(10.0), pytest.approx(10.0))


def test_a_weekend_in_progress_counts_only_working_hours(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    handling, basis, logged, working = _hours(warehouse, "OPS-3")
    assert (basis, logged) == ("working_hours", None)
    assert handling == working == pytest.approx(2.0)
    calendar = warehouse.sql(
        "select hours_in_status from int_issues__status_durations"
        " where issue_key = 'OPS-3' and status = 'In Progress'"
    ).fetchall()
    assert calendar == [(pytest.approx(65.0),)]


def test_a_team_holiday_is_no_working_time(warehouse: duckdb.DuckDBPyConnection) -> None:
    # Thu 17-18, Fri 9-18, Mon 9-10
    assert _hours(warehouse, "OPS-4")[0] == pytest.approx(11.0)
    project = load_project()
    warehouse.execute("insert into team_holidays values ('2025-10-03', '개천절')")
    try:
        for name in ("int_issues__status_durations", "fct_tickets"):
            build_model(warehouse, project.models[name])
        assert _hours(warehouse, "OPS-4")[0] == pytest.approx(2.0)
    finally:
        warehouse.execute("delete from team_holidays")
        for name in ("int_issues__status_durations", "fct_tickets"):
            build_model(warehouse, project.models[name])


def test_a_template_with_logged_work_estimates_its_savings_from_it(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    relation = warehouse.sql(
        "select * from fct_toil_candidates where request_template like 'deploy%'"
    )
    (row,) = [dict(zip(relation.columns, r, strict=True)) for r in relation.fetchall()]
    assert (row["ticket_count"], row["hours_basis"]) == (5, "worklog")
    assert row["worklog_share"] == pytest.approx(0.6)
    # the median of the logged 0.5, 1 and 1.5 h; the two unlogged add their 5 working hours
    assert row["median_handling_hours"] == pytest.approx(1.0)
    assert row["total_handling_hours"] == pytest.approx(0.5 + 1 + 1.5 + 5 + 5)
    # 5 tickets over October and November: 2.5 a month, 80% of them automated, 1 h each
    assert row["automation_hours_saved_per_month"] == pytest.approx(0.8 * 2.5 * 1.0)
