"""Logged work for sample tickets: Jira's `timespent`, `timeoriginalestimate` and worklogs.

Real teams log time unevenly: some people log on most tickets, others never, and what they
log is a fraction of the time a ticket sits in progress. The draws come from a generator of
their own, seeded by the ticket, so adding effort left every other sample value as it was.
"""

from __future__ import annotations

from random import Random
from typing import Any

from ticket_analytics.samples import jira_shapes as js
from ticket_analytics.samples.jira_shapes import HOUR, IN_PROGRESS, MIN, Actor, Trail

# Hands-on hours per resolved ticket (least, most); the draw leans towards the least.
_EFFORT_HOURS = {
    "access_request": (0.1, 0.75),
    "deployment": (0.25, 2),
    "devops_tools": (0.5, 4),
    "cloud_resource": (0.5, 3),
    "k8s_service": (2, 10),
    "rds": (1.5, 8),
    "incident": (0.5, 6),
    "other": (0.25, 4),
}
_LOGGING_SHARE = 0.85  # of a logging person's tickets; the rest they forget


def logs_work(person: Actor) -> bool:
    """About two people in three log their time at all."""
    return int(person.user["accountId"], 16) % 3 != 0


def _duration(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return " ".join(
        p for p in (f"{hours}h" if hours else "", f"{minutes}m" if minutes else "") if p
    )


def effort_fields(issue_id: str, category: str, trail: Trail) -> dict[str, Any]:
    """The issue's time-tracking fields: nulls and no worklogs unless someone logged work."""
    empty: dict[str, Any] = {
        "timespent": None,
        "aggregatetimespent": None,
        "timeoriginalestimate": None,
        "worklog": {"startAt": 0, "maxResults": 20, "total": 0, "worklogs": []},
    }
    agent, resolved = trail.assignee, trail.resolved
    if agent is None or resolved is None or not logs_work(agent):
        return empty
    rng = Random(f"effort:{issue_id}:{trail.created}")
    if rng.random() >= _LOGGING_SHARE:
        return empty
    started = min(
        (ms for ms, _, items in trail.events for item in items
         if item["field"] == "status" and item["toString"] == IN_PROGRESS),
        default=trail.created,
    )  # fmt: skip
    low, high = _EFFORT_HOURS[category]
    r = rng.random()
    hours = min(low + (high - low) * r * r, 0.8 * (resolved - started) / HOUR)
    # Jira keeps minutes; people log in steps of five
    seconds = max(5, round(hours * 12) * 5) * 60
    parts = 1 + (seconds > 2 * 3600) + (seconds > 5 * 3600)
    chunk = seconds // parts // 300 * 300
    chunks = [chunk] * (parts - 1) + [seconds - chunk * (parts - 1)]
    span = max(resolved - started - seconds * 1000, 0)
    worklogs = []
    for i, spent in enumerate(chunks):
        at = started + span * i // parts + 2 * MIN
        stamp = agent.stamp(at)
        worklog_id = str(int(issue_id) * 10 + i + 300_000)
        worklogs.append(
            {
                "self": f"{js.API}/issue/{issue_id}/worklog/{worklog_id}",
                "author": agent.user,
                "updateAuthor": agent.user,
                "created": agent.stamp(at + spent * 1000),
                "updated": agent.stamp(at + spent * 1000),
                "started": stamp,
                "timeSpent": _duration(spent),
                "timeSpentSeconds": spent,
                "id": worklog_id,
                "issueId": issue_id,
            }
        )
    estimate = round(seconds * (0.5 + rng.random()) / 3600) * 3600 if rng.random() < 0.3 else None
    return {
        "timespent": seconds,
        "aggregatetimespent": seconds,
        "timeoriginalestimate": estimate or None,
        "worklog": {"startAt": 0, "maxResults": 20, "total": len(worklogs), "worklogs": worklogs},
    }
