"""Deterministic DevOps request tickets shaped like Jira Cloud `search/jql` results.

Everything comes from one `random.Random(seed)`, so the same arguments give byte-identical
files. Nested reference objects (users, statuses, changelog items) are shared between issues
to keep 100k issues cheap: treat the payloads as read-only.

Workflow: Open → In Progress → [Waiting for Customer → In Progress]* → Resolved → Closed, and
Resolved → Reopened → In Progress → Resolved for a few. Each move into Waiting for Customer
comes seconds after an assignee comment listing the catalog labels of the missing fields; the
reporter's reply ("label: value" lines) comes before the move back to In Progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from ticket_analytics.samples import templates as tpl
from ticket_analytics.samples.templates import (
    CLOSED,
    IN_PROGRESS,
    OPEN,
    REOPENED,
    RESOLVED,
    WAITING,
)

__all__ = [
    "CLOSED",
    "IN_PROGRESS",
    "OPEN",
    "REOPENED",
    "RESOLVED",
    "WAITING",
    "LabeledIssue",
    "SampleSummary",
    "generate_issues",
    "generate_labeled_issues",
    "write_sample",
]

_MIN, _HOUR, _DAY = 60_000, 3_600_000, 86_400_000
_KST = 9 * _HOUR
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_FIELD_SOURCE = {"cloud": "cloud", "environment": "env", "service_name": "svc", "repository": "repo",
                 "pod_spec": "pod", "db_engine": "engine", "db_version": "dbver",
                 "target_system": "system", "access_level": "level", "justification": "why",
                 "resource_type": "rtype", "purpose": "purpose", "tool_name": "tool",
                 "target_name": "target", "impact": "impact", "started_at": "started",
                 "symptom": "symptom", "version": "version", "schedule": "schedule"}  # fmt: skip
# Hours from pickup to done (shortest, longest); the draw is skewed towards the short end.
_WORK_HOURS = {"access_request": (0.3, 6), "deployment": (2, 48), "devops_tools": (1, 24),
               "cloud_resource": (2, 36), "k8s_service": (8, 96), "rds": (6, 72),
               "incident": (0.3, 5), "other": (1, 72)}  # fmt: skip
_PRIORITY_CUM = (2, 16, 78, 95, 100)
_PRIORITY_NAMES = ("Highest", "High", "Medium", "Low", "Lowest")
_BUSY_HOURS = (9, 10, 10, 11, 11, 13, 13, 14, 14, 15, 15, 16, 16, 17, 17, 18)


def _item(field: str, old: str | None, old_text: str | None, new: str | None,
          new_text: str | None) -> dict[str, Any]:  # fmt: skip
    return {
        "field": field,
        "fieldtype": "jira",
        "fieldId": field,
        "from": old,
        "fromString": old_text,
        "to": new,
        "toString": new_text,
    }


_STATUS_ITEMS = {
    (a, b): _item("status", sa["id"], a, sb["id"], b)
    for a, sa in tpl.STATUSES.items()
    for b, sb in tpl.STATUSES.items()
}
_RESOLVE_ITEM = _item("resolution", None, None, "10000", "Done")
_UNRESOLVE_ITEM = _item("resolution", "10000", "Done", None, None)


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
    month: str  # created month in Asia/Seoul, "2025-10"
    category: str
    pattern: str | None  # id of the recurring (toil) template; None for one-off requests
    lang: str
    missing: tuple[str, ...]  # required field ids the description leaves out
    reopened: bool
    clarifications: int  # moves into Waiting for Customer


class _Actor(NamedTuple):
    user: dict[str, Any]
    tz: str
    handle: str
    mention: dict[str, Any]


def _actor(index: int, person: tpl.Person) -> _Actor:
    account = f"{0x5FC9E78D2730D800760B0000 + 7919 * (index + 1):024x}"
    user = {"self": f"{tpl.API}/user?accountId={account}", "accountId": account,
            "emailAddress": f"{person.handle}@example.com", "displayName": person.name,
            "active": True, "timeZone": person.tz, "accountType": "atlassian"}  # fmt: skip
    mention = {"type": "mention", "attrs": {"id": account, "text": f"@{person.name}",
                                            "accessLevel": ""}}  # fmt: skip
    return _Actor(user, person.tz, person.handle, mention)


_BOT = _Actor(tpl.AUTOMATION, "Asia/Seoul", "automation", {})


def _midnight_kst(ordinal: int) -> int:
    return (ordinal - _EPOCH_ORDINAL) * _DAY - _KST


class _Clock:
    """Jira timestamps from epoch milliseconds in a person's zone (offsets cached per hour)."""

    def __init__(self) -> None:
        self._offsets: dict[tuple[str, int], tuple[int, str]] = {}
        self._days: dict[int, str] = {}

    def __call__(self, ms: int, tz: str) -> str:
        key = (tz, ms // _HOUR)
        if (found := self._offsets.get(key)) is None:
            moment = datetime.fromtimestamp(key[1] * 3600, UTC).astimezone(ZoneInfo(tz))
            offset = int(moment.utcoffset().total_seconds()) * 1000  # type: ignore[union-attr]
            size = abs(offset)
            sign = "+" if offset >= 0 else "-"
            found = self._offsets[key] = (
                offset,
                f"{sign}{size // _HOUR:02d}{size % _HOUR // _MIN:02d}",
            )
        days, rest = divmod(ms + found[0], _DAY)
        if (day := self._days.get(days)) is None:
            day = self._days[days] = date.fromordinal(_EPOCH_ORDINAL + days).isoformat()
        hour, rest = divmod(rest, _HOUR)
        minute, rest = divmod(rest, _MIN)
        return f"{day}T{hour:02d}:{minute:02d}:{rest // 1000:02d}.{rest % 1000:03d}{found[1]}"


class _Trail:
    """A ticket's history as it happens: changelog entries and comments in time order."""

    def __init__(self, created: int, priority: str) -> None:
        self.events: list[tuple[int, _Actor, list[dict[str, Any]]]] = []
        self.comments: list[tuple[int, _Actor, dict[str, Any]]] = []
        self.status, self.priority = OPEN, priority
        self.assignee: _Actor | None = None
        self.resolved: int | None = None
        self.changed = created  # last change of status category
        self.reopened, self.rounds = False, 0

    def move(self, ms: int, actor: _Actor, to: str, *extra: dict[str, Any]) -> None:
        self.events.append((ms, actor, [_STATUS_ITEMS[self.status, to], *extra]))
        old_cat = tpl.STATUSES[self.status]["statusCategory"]["key"]
        if tpl.STATUSES[to]["statusCategory"]["key"] != old_cat:
            self.changed = ms
        self.status = to

    def assign(self, ms: int, actor: _Actor, to: _Actor) -> None:
        old = self.assignee.user if self.assignee else None
        new = to.user
        self.events.append((ms, actor, [_item(
            "assignee", old and old["accountId"], old and old["displayName"],
            new["accountId"], new["displayName"])]))  # fmt: skip
        self.assignee = to

    def reprioritise(self, ms: int, actor: _Actor, to: str) -> None:
        old, new = tpl.PRIORITIES[self.priority], tpl.PRIORITIES[to]
        self.events.append((ms, actor, [_item("priority", old["id"], old["name"], new["id"], to)]))
        self.priority = to

    def comment(self, ms: int, actor: _Actor, body: dict[str, Any]) -> None:
        self.comments.append((ms, actor, body))
