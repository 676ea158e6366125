"""The team calendar: its settings, the zone a connection takes, and buckets across a DST change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pytest
from jira_builders import issue, load_and_build, write_page

from ticket_analytics.calendar import (
    CalendarError,
    parse_work_days,
    parse_work_hours,
    team_calendar,
)
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.models import month_bounds


def test_work_days_read_ranges_lists_and_weeks_that_wrap() -> None:
    assert parse_work_days("mon-fri") == (1, 2, 3, 4, 5)
    assert parse_work_days("Sun-Thu") == (1, 2, 3, 4, 7)
    assert parse_work_days("mon, wed,fri") == (1, 3, 5)
    with pytest.raises(CalendarError, match="TA_WORK_DAYS"):
        parse_work_days("weekdays")


def test_work_hours_must_end_after_they_start() -> None:
    assert parse_work_hours("09:00-18:00") == (time(9), time(18))
    assert parse_work_hours(" 8:30 - 17:15 ") == (time(8, 30), time(17, 15))
    for bad in ("18:00-09:00", "9-18", "25:00-26:00"):
        with pytest.raises(CalendarError, match="TA_WORK_HOURS"):
            parse_work_hours(bad)


def test_an_unknown_zone_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TA_TIMEZONE", "Asia/Seol")
    with pytest.raises(CalendarError, match="Asia/Seol"):
        team_calendar()


def test_partition_bounds_are_wall_clock_months_the_session_zone_places(tmp_path: Path) -> None:
    bounds = month_bounds("2025-10", "2025-12")
    assert bounds == {"month_start": datetime(2025, 10, 1), "month_end": datetime(2026, 1, 1)}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TA_TIMEZONE", "Asia/Seoul")
        with connect(tmp_path / "w.duckdb") as conn:
            placed = conn.execute(
                "select $month_start::timestamptz at time zone 'UTC',"
                " $month_end::timestamptz at time zone 'UTC'",
                bounds,
            ).fetchall()
    assert placed == [(datetime(2025, 9, 30, 15, 0), datetime(2025, 12, 31, 15, 0))]


def test_the_zone_is_ta_timezone_else_the_synced_jira_profile_zone_else_utc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    monkeypatch.delenv("TA_TIMEZONE", raising=False)

    def zone() -> str:
        with connect(path) as conn:
            return str(conn.sql("select current_setting('TimeZone')").fetchall()[0][0])

    assert zone() == "UTC"
    with connect(path) as conn:
        conn.execute(
            "insert into meta.jira_sync_state (scope, last_sync_at, time_zone)"
            " values ('project = OPS', now(), 'Asia/Tokyo')"
        )
    assert zone() == "Asia/Tokyo"
    monkeypatch.setenv("TA_TIMEZONE", "Europe/Berlin")
    assert zone() == "Europe/Berlin"


# Europe/Berlin leaves summer time on Sunday 2025-10-26 at 03:00 (+02:00 -> +01:00).
BERLIN = [
    # Friday 17:00 CEST to Monday 10:00 CET: 66 calendar hours (the night had 25), 2 working.
    issue(
        "OPS-1",
        "2025-10-24T16:00:00.000+0200",
        transitions=[
            ("2025-10-24T17:00:00.000+0200", "Open", "In Progress"),
            ("2025-10-27T10:00:00.000+0100", "In Progress", "Resolved"),
        ],
        resolved="2025-10-27T10:00:00.000+0100",
    ),
    # 23:30 CET on 31 October is 22:30 UTC: October.
    issue(
        "OPS-2",
        "2025-10-31T20:00:00.000+0100",
        transitions=[
            ("2025-10-31T21:00:00.000+0100", "Open", "In Progress"),
            ("2025-10-31T23:30:00.000+0100", "In Progress", "Resolved"),
        ],
        resolved="2025-10-31T23:30:00.000+0100",
    ),
    # 00:30 CET on 1 November is still 31 October in UTC: November in Berlin.
    issue(
        "OPS-3",
        "2025-10-31T21:00:00.000+0100",
        transitions=[
            ("2025-10-31T22:00:00.000+0100", "Open", "In Progress"),
            ("2025-11-01T00:30:00.000+0100", "In Progress", "Resolved"),
        ],
        resolved="2025-11-01T00:30:00.000+0100",
    ),
]


@pytest.fixture(scope="module")
def berlin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("berlin")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TA_TIMEZONE", "Europe/Berlin")
        with connect(root / "w.duckdb") as conn:
            load_and_build(
                conn, write_page(root / "page.json", BERLIN), months=["2025-10", "2025-11"]
            )
            yield conn


def test_months_follow_the_zone_across_a_dst_change(berlin: duckdb.DuckDBPyConnection) -> None:
    rows = berlin.sql(
        "select month, month_start at time zone 'UTC', delivered_count from fct_monthly_ops"
        " where category = 'all' order by month"
    ).fetchall()
    assert rows == [
        ("2025-10", datetime(2025, 9, 30, 22, 0), 2),
        ("2025-11", datetime(2025, 10, 31, 23, 0), 1),
    ]


def test_working_hours_skip_the_night_and_weekend_of_a_dst_change(
    berlin: duckdb.DuckDBPyConnection,
) -> None:
    rows = berlin.sql(
        "select hours_in_status, working_hours_in_status from int_issues__status_durations"
        " where issue_key = 'OPS-1' and status = 'In Progress'"
    ).fetchall()
    assert rows == [(pytest.approx(66.0), pytest.approx(2.0))]


def test_the_long_day_of_a_dst_change_is_one_day_of_the_flow(
    berlin: duckdb.DuckDBPyConnection,
) -> None:
    days = berlin.sql(
        "select day, sum(ticket_count) filter (where status_category = 'done') from fct_daily_flow"
        " where day between '2025-10-25' and '2025-11-01' group by day order by day"
    ).fetchall()
    assert days == [
        (date(2025, 10, 25), 0),
        (date(2025, 10, 26), 0),
        (date(2025, 10, 27), 1),
        (date(2025, 10, 28), 1),
        (date(2025, 10, 29), 1),
        (date(2025, 10, 30), 1),
        (date(2025, 10, 31), 2),
        (date(2025, 11, 1), 3),
    ]


def test_month_partitions_start_at_the_configured_first_month(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import date

    from ticket_analytics.calendar import CalendarError, first_month

    monkeypatch.delenv("TA_FIRST_MONTH")
    assert first_month(date(2026, 11, 30)) == "2025-11"
    monkeypatch.setenv("TA_FIRST_MONTH", "2024-03")
    assert first_month() == "2024-03"
    monkeypatch.setenv("TA_FIRST_MONTH", "March")
    with pytest.raises(CalendarError, match="TA_FIRST_MONTH"):
        first_month()
