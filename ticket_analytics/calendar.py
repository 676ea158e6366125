"""The team calendar: the zone days and months are counted in, and the hours people work.

Configured once, from the environment (`TA_TIMEZONE`, `TA_WORK_DAYS`, `TA_WORK_HOURS`) and
the holidays seed (`dbt_like_models/seeds/team_holidays.csv`). Every warehouse connection
applies it when it opens (`apply`): the zone becomes the session's `TimeZone`, so
`::date`, `date_trunc` and `strftime` on the UTC timestamps give the team's days and
months, and the working hours become session variables the models read with
`getvariable`. Timestamps stay instants (UTC) in every table; only the buckets move.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

DEFAULT_TIME_ZONE = "UTC"
DEFAULT_WORK_DAYS = "mon-fri"
DEFAULT_WORK_HOURS = "09:00-18:00"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class CalendarError(ValueError):
    """A calendar setting that cannot be read; the message names the variable."""


@dataclass(frozen=True)
class TeamCalendar:
    """`time_zone` None means "not configured": the Jira profile zone, else UTC."""

    time_zone: str | None
    work_days: tuple[int, ...]  # ISO weekdays, Monday = 1
    work_start: time
    work_end: time


def check_time_zone(name: str, setting: str = "TA_TIMEZONE") -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(
            f"{setting}={name!r} is not an IANA time zone (e.g. Asia/Seoul)"
        ) from exc
    return name


def parse_work_days(value: str) -> tuple[int, ...]:
    """`mon-fri`, `mon,tue,thu` or `sun-thu` (wrapping the week) as ISO weekdays."""
    days: set[int] = set()
    for part in value.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise CalendarError(
                f"TA_WORK_DAYS={value!r}: use day names like mon-fri or mon,tue,wed"
            )
        start, end = _DAYS.index(first), _DAYS.index(last or first)
        span = (end - start) % 7
        days.update((start + i) % 7 + 1 for i in range(span + 1))
    return tuple(sorted(days))


def parse_work_hours(value: str) -> tuple[time, time]:
    """`09:00-18:00`; a shift across midnight is not supported (split it into two teams)."""
    match = _HOURS.match(value)
    if not match:
        raise CalendarError(f"TA_WORK_HOURS={value!r}: use HH:MM-HH:MM, e.g. 09:00-18:00")
    start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
    try:
        start, end = time(start_h, start_m), time(end_h, end_m)
    except ValueError as exc:
        raise CalendarError(f"TA_WORK_HOURS={value!r}: {exc}") from exc
    if end <= start:
        raise CalendarError(f"TA_WORK_HOURS={value!r}: the day must end after it starts")
    return start, end


def configured_time_zone() -> str | None:
    """`TA_TIMEZONE`, validated; None when unset."""
    zone = os.environ.get("TA_TIMEZONE", "").strip()
    return check_time_zone(zone) if zone else None


def team_calendar() -> TeamCalendar:
    """The calendar configured in the environment, validated; defaults where unset."""
    start, end = parse_work_hours(os.environ.get("TA_WORK_HOURS") or DEFAULT_WORK_HOURS)
    return TeamCalendar(
        time_zone=configured_time_zone(),
        work_days=parse_work_days(os.environ.get("TA_WORK_DAYS") or DEFAULT_WORK_DAYS),
        work_start=start,
        work_end=end,
    )


def first_month(today: date | None = None) -> str:
    """The first month partition: `TA_FIRST_MONTH` (YYYY-MM), else 12 months before this one,
    so the UI does not show years of "missing" months before the first ticket."""
    value = os.environ.get("TA_FIRST_MONTH", "").strip()
    if value:
        try:
            datetime.strptime(value, "%Y-%m")
        except ValueError:
            raise CalendarError(f"TA_FIRST_MONTH={value!r}: expected YYYY-MM") from None
        return value
    today = today or date.today()
    return f"{today.year - 1:04d}-{today.month:02d}"


def _synced_time_zone(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The Jira profile zone the latest sync recorded, if any sync has."""
    try:
        rows = conn.execute(
            "select time_zone from meta.jira_sync_state where time_zone is not null"
            " order by last_sync_at desc nulls last, scope limit 1"
        ).fetchall()
    except duckdb.Error:
        # a warehouse from before the column (read-only) or without any sync table
        return None
    if not rows:
        return None
    try:
        return check_time_zone(str(rows[0][0]), "the synced Jira profile zone")
    except CalendarError:
        return None


def apply(conn: duckdb.DuckDBPyConnection, calendar: TeamCalendar | None = None) -> str:
    """Set the connection's zone and working-hour variables; returns the zone used."""
    calendar = calendar or team_calendar()
    zone = calendar.time_zone or _synced_time_zone(conn) or DEFAULT_TIME_ZONE
    conn.execute("set TimeZone = ?", [zone])
    conn.execute("set variable ta_work_days = ?", [list(calendar.work_days)])
    conn.execute("set variable ta_work_start = ?::time", [calendar.work_start])
    conn.execute("set variable ta_work_end = ?::time", [calendar.work_end])
    return zone
