"""Month partitions for the monthly marts: keys like 2025-10 mean months in the team's zone.

A key is a calendar month in `TA_TIMEZONE` (the team calendar, `ticket_analytics.calendar`):
`2025-11` with Asia/Seoul starts at 2025-11-01 00:00 KST (2025-10-31 15:00 UTC). The runner
binds the month's wall-clock bounds and the connection's session zone places them, so the key
and the rows built for it always agree. Dagster's clock for which keys exist, and the monthly
schedules', are that zone too: at 06:00 UTC on the 1st, a team in Los Angeles was still in
last month, and its marts and report were built from a month not yet over.
"""

import dagster as dg

from ticket_analytics.calendar import configured_time_zone, first_month

# TA_TIMEZONE, else UTC: Dagster's schedules cannot follow the Jira profile zone that the
# warehouse falls back to without it (they never open the warehouse).
TEAM_ZONE = configured_time_zone() or "UTC"

# Only complete months: the latest partition is last month, which the monthly schedule builds.
# The first one is TA_FIRST_MONTH (default: 12 months back).
MONTHLY = dg.MonthlyPartitionsDefinition(
    start_date=first_month(),
    fmt="%Y-%m",
    timezone=TEAM_ZONE,
    description="Calendar months in the team's time zone (TA_TIMEZONE, default UTC), YYYY-MM.",
)


def month_problem(month: str) -> str | None:
    """Why `month` is no month partition (a CLI's --month), or None when it is one."""
    keys = MONTHLY.get_partition_keys()
    if month in keys:
        return None
    if not keys:
        return f"no month can be built yet: the first is {first_month()} (TA_FIRST_MONTH)"
    return (
        f"{month} is not a month partition: they run from {keys[0]} (TA_FIRST_MONTH, default "
        f"12 months back) to {keys[-1]}, the last complete month"
    )
