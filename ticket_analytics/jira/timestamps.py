"""Jira timestamps in, UTC datetimes out; JQL date literals back out in a user's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# fromisoformat alone would also take date-only, week-date and space-separated forms; the regex
# keeps input to what Jira actually sends while fromisoformat does the fast parsing.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_jira_timestamp(value: str) -> datetime:
    """Parse a Jira date-time such as ``2025-11-03T14:05:00.000+0900`` to an aware UTC datetime.

    Accepts offsets as ``+0900``, ``+09:00`` or ``Z``, with or without (up to nanosecond)
    fractional seconds; digits beyond microseconds are truncated. A date-time with no offset
    at all is taken to be UTC: Jira always sends one, so a bare value comes from an export or
    a hand-written fixture, where UTC is the only neutral reading. Anything else (empty,
    date-only, garbage, non-str) raises ``ValueError`` quoting the value.
    """
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise ValueError(f"not a Jira timestamp: {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a Jira timestamp: {value!r} ({exc})") from exc


def format_jql_datetime(moment: datetime, tz: str) -> str:
    """Render ``moment`` as a JQL literal ``yyyy/MM/dd HH:mm`` in the IANA zone ``tz``.

    JQL reads date literals in the searching user's zone, so this must be that user's zone.
    Seconds are dropped (floor), so a bound never moves past the moment it came from.
    A naive ``moment`` raises ``ValueError``: its zone would be a guess.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"format_jql_datetime needs an aware datetime, got {moment!r}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        raise ValueError(f"unknown time zone: {tz!r}") from exc
    local = moment.astimezone(zone)
    return f"{local.year:04d}/{local.month:02d}/{local.day:02d} {local.hour:02d}:{local.minute:02d}"
