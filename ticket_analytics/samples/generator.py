"""Deterministic DevOps request tickets shaped like Jira Cloud `search/jql` results.

Everything comes from one `random.Random(seed)`, so the same arguments give byte-identical
files. Nested reference objects (users, statuses, changelog items) are shared between issues
to keep 100k issues cheap: treat the payloads as read-only.

Workflow: Open → In Progress → [Waiting for Customer → In Progress]* → Resolved → Closed, with
Resolved → Reopened → In Progress → Resolved for a few. Every move into Waiting for Customer
follows, within two minutes, an assignee comment listing the catalog labels of the missing
fields; the reporter's reply ("label: value" lines) precedes the move back to In Progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from ticket_analytics.samples import templates as tpl

OPEN, IN_PROGRESS, WAITING = "Open", "In Progress", "Waiting for Customer"
RESOLVED, REOPENED, CLOSED = "Resolved", "Reopened", "Closed"

_MIN, _HOUR, _DAY = 60_000, 3_600_000, 86_400_000
_KST = 9 * _HOUR
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_API = "https://example.atlassian.net/rest/api/3"
_EXPAND = "operations,versionedRepresentations,editmeta,changelog,renderedFields"
_CATEGORY = {"new": (2, "blue-gray", "To Do"), "indeterminate": (4, "yellow", "In Progress"),
             "done": (3, "green", "Done")}  # fmt: skip
_STATUS_DEFS = (
    (OPEN, "1", "new"),
    (IN_PROGRESS, "3", "indeterminate"),
    (REOPENED, "4", "new"),
    (RESOLVED, "5", "done"),
    (CLOSED, "6", "done"),
    (WAITING, "10002", "indeterminate"),
)
STATUSES: dict[str, dict[str, Any]] = {
    name: {"self": f"{_API}/status/{sid}", "description": "", "name": name, "id": sid,
           "statusCategory": {"self": f"{_API}/statuscategory/{_CATEGORY[cat][0]}",
                              "id": _CATEGORY[cat][0], "key": cat,
                              "colorName": _CATEGORY[cat][1], "name": _CATEGORY[cat][2]}}
    for name, sid, cat in _STATUS_DEFS
}  # fmt: skip
_PRIORITIES = {
    name: {"self": f"{_API}/priority/{i}", "name": name, "id": str(i)}
    for i, name in enumerate(("Highest", "High", "Medium", "Low", "Lowest"), 1)
}
_TYPES = {
    name: {
        "self": f"{_API}/issuetype/{i}",
        "id": i,
        "name": name,
        "subtask": False,
        "hierarchyLevel": 0,
    }
    for i, name in (("10001", "Task"), ("10003", "Service Request"), ("10004", "Incident"))
}
_COMPONENTS = {name: {"self": f"{_API}/component/{10100 + i}", "id": str(10100 + i), "name": name}
               for i, name in enumerate(("EKS", "RDS", "IAM", "CI/CD", "Monitoring", "Network",
                                         "Storage", "Messaging"))}  # fmt: skip
_RESOLUTION = {
    "self": f"{_API}/resolution/10000",
    "id": "10000",
    "description": "Work has been completed on this issue.",
    "name": "Done",
}
_AUTOMATION = {
    "self": f"{_API}/user?accountId=557058:f58131cb-b67d-43c7-b30d-6b58d40bd077",
    "accountId": "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077",
    "displayName": "Automation for Jira",
    "active": True,
    "timeZone": "Asia/Seoul",
    "accountType": "app",
}
_EPIC_LINK = {"hasEpicLinkFieldDependency": False, "showField": False,
              "nonEditableReason": {"reason": "PLUGIN_LICENSE_ERROR",
                                    "message": "The Parent Link is only available to Jira Premium users."}}  # fmt: skip
_FIELD_SOURCE = {"cloud": "cloud", "environment": "env", "service_name": "svc", "repository": "repo",
                 "pod_spec": "pod", "db_engine": "engine", "db_version": "dbver",
                 "target_system": "system", "access_level": "level", "justification": "why",
                 "resource_type": "rtype", "purpose": "purpose", "tool_name": "tool",
                 "target_name": "target", "impact": "impact", "started_at": "started",
                 "symptom": "symptom", "version": "version", "schedule": "schedule"}  # fmt: skip
# Hours from pickup to done, (shortest, longest); the draw is skewed towards the short end.
_WORK_HOURS = {"access_request": (0.3, 6), "deployment": (2, 48), "devops_tools": (1, 24),
               "cloud_resource": (2, 36), "k8s_service": (8, 96), "rds": (6, 72),
               "incident": (0.3, 5), "other": (1, 72)}  # fmt: skip
_PRIORITY_CUM = (("Highest", 2), ("High", 16), ("Medium", 78), ("Low", 95), ("Lowest", 100))
_BUSY_HOURS = (9, 10, 10, 11, 11, 13, 13, 14, 14, 15, 15, 16, 16, 17, 17, 18)


@dataclass(frozen=True)
class SampleSummary:
    out_dir: Path
    files: tuple[Path, ...]
    issues: int
    by_month: dict[str, int]  # "2025-10" -> count (by created month)
    by_category: dict[str, int]  # generator's ground-truth category -> count


@dataclass(frozen=True, slots=True)
class LabeledIssue:
    """An issue with the generator's ground truth, for manifests, tests and benchmarks."""

    issue: dict[str, Any]
    category: str
    pattern: str | None  # id of the recurring template, None for one-off requests
    lang: str
    missing: tuple[str, ...]  # required field ids left out of the description
    reopened: bool
    clarifications: int  # moves into Waiting for Customer


class _Actor(NamedTuple):
    user: dict[str, Any]
    tz: str
    lang: str
    mention: dict[str, Any]


def _text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def _para(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(nodes)}


def _doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def _bullets(lines: list[str]) -> dict[str, Any]:
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [_para(_text(line))]} for line in lines],
    }


def _table(rows: list[tuple[str, str]], header: tuple[str, str]) -> dict[str, Any]:
    def row(cells: tuple[str, str], kind: str) -> dict[str, Any]:
        return {
            "type": "tableRow",
            "content": [{"type": kind, "attrs": {}, "content": [_para(_text(c))]} for c in cells],
        }

    return {
        "type": "table",
        "attrs": {"isNumberColumnEnabled": False, "layout": "default"},
        "content": [row(header, "tableHeader"), *(row(r, "tableCell") for r in rows)],
    }


def _lines(head: str, lines: list[str]) -> dict[str, Any]:
    nodes = [_text(head)]
    for line in lines:
        nodes += ({"type": "hardBreak"}, _text(line))
    return _para(*nodes)


_EMOJI = tuple(
    {"type": "emoji", "attrs": {"shortName": s, "id": i, "text": t}} for s, i, t in tpl.EMOJIS
)


class _Clock:
    """Jira timestamps from epoch milliseconds, in a person's zone (cached per zone and hour)."""

    def __init__(self) -> None:
        self._offsets: dict[tuple[str, int], tuple[int, str]] = {}
        self._days: dict[int, str] = {}

    def __call__(self, ms: int, tz: str) -> str:
        key = (tz, ms // _HOUR)
        if (found := self._offsets.get(key)) is None:
            from datetime import UTC, datetime
            from zoneinfo import ZoneInfo

            moment = datetime.fromtimestamp(key[1] * 3600, UTC).astimezone(ZoneInfo(tz))
            offset = int(moment.utcoffset().total_seconds()) * 1000  # type: ignore[union-attr]
            sign, size = ("+" if offset >= 0 else "-"), abs(offset)
            found = (offset, f"{sign}{size // _HOUR:02d}{size % _HOUR // _MIN:02d}")
            self._offsets[key] = found
        days, rest = divmod(ms + found[0], _DAY)
        if (day := self._days.get(days)) is None:
            day = self._days[days] = date.fromordinal(_EPOCH_ORDINAL + days).isoformat()
        hour, rest = divmod(rest, _HOUR)
        minute, rest = divmod(rest, _MIN)
        return f"{day}T{hour:02d}:{minute:02d}:{rest // 1000:02d}.{rest % 1000:03d}{found[1]}"
