"""Jira Cloud building blocks for the sample generator: reference objects, ADF, people, time.

Reference objects (statuses, priorities, users, changelog items) are built once and shared by
every generated issue, which is what keeps 100k issues cheap; consumers must not mutate them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from ticket_analytics.samples.templates import Person

OPEN, IN_PROGRESS, WAITING = "Open", "In Progress", "Waiting for Customer"
RESOLVED, REOPENED, CLOSED = "Resolved", "Reopened", "Closed"
API = "https://example.atlassian.net/rest/api/3"

MIN, HOUR, DAY = 60_000, 3_600_000, 86_400_000
KST = 9 * HOUR
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_CATEGORIES = {
    "new": (2, "blue-gray", "To Do"),
    "indeterminate": (4, "yellow", "In Progress"),
    "done": (3, "green", "Done"),
}


def _status(name: str, status_id: str, category: str) -> dict[str, Any]:
    cat_id, color, cat_name = _CATEGORIES[category]
    return {
        "self": f"{API}/status/{status_id}",
        "description": "",
        "name": name,
        "id": status_id,
        "statusCategory": {
            "self": f"{API}/statuscategory/{cat_id}",
            "id": cat_id,
            "key": category,
            "colorName": color,
            "name": cat_name,
        },
    }


STATUSES = {
    OPEN: _status(OPEN, "1", "new"),
    IN_PROGRESS: _status(IN_PROGRESS, "3", "indeterminate"),
    REOPENED: _status(REOPENED, "4", "new"),
    RESOLVED: _status(RESOLVED, "5", "done"),
    CLOSED: _status(CLOSED, "6", "done"),
    WAITING: _status(WAITING, "10002", "indeterminate"),
}
PRIORITIES = {
    name: {"self": f"{API}/priority/{i}", "name": name, "id": str(i)}
    for i, name in enumerate(("Highest", "High", "Medium", "Low", "Lowest"), 1)
}
ISSUE_TYPES = {
    name: {"self": f"{API}/issuetype/{i}", "id": i, "name": name, "subtask": False}
    for i, name in (("10001", "Task"), ("10003", "Service Request"), ("10004", "Incident"))
}
COMPONENTS = {
    name: {"self": f"{API}/component/{10100 + i}", "id": str(10100 + i), "name": name}
    for i, name in enumerate(
        ("EKS", "RDS", "IAM", "CI/CD", "Monitoring", "Network", "Storage", "Messaging")
    )
}
RESOLUTION = {
    "self": f"{API}/resolution/10000",
    "id": "10000",
    "description": "Work has been completed on this issue.",
    "name": "Done",
}
# A legacy field whose value is an object nobody reads: ingestion must keep it as it is.
EPIC_LINK = {
    "hasEpicLinkFieldDependency": False,
    "showField": False,
    "nonEditableReason": {
        "reason": "PLUGIN_LICENSE_ERROR",
        "message": "The Parent Link is only available to Jira Premium users.",
    },
}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def paragraph(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(nodes)}


def doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def heading(value: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": 3}, "content": [text(value)]}


def bullets(lines: list[str]) -> dict[str, Any]:
    items = [{"type": "listItem", "content": [paragraph(text(line))]} for line in lines]
    return {"type": "bulletList", "content": items}


def table(header: tuple[str, str], rows: list[tuple[str, str]]) -> dict[str, Any]:
    def row(cells: tuple[str, str], kind: str) -> dict[str, Any]:
        content = [{"type": kind, "attrs": {}, "content": [paragraph(text(c))]} for c in cells]
        return {"type": "tableRow", "content": content}

    return {
        "type": "table",
        "attrs": {"isNumberColumnEnabled": False, "layout": "default"},
        "content": [row(header, "tableHeader"), *(row(r, "tableCell") for r in rows)],
    }


def hard_lines(head: str, lines: list[str]) -> dict[str, Any]:
    """One paragraph with hard breaks: how a form pasted into the Jira editor ends up."""
    nodes = [text(head)]
    for line in lines:
        nodes += ({"type": "hardBreak"}, text(line))
    return paragraph(*nodes)


def code(source: str, language: str) -> dict[str, Any]:
    return {"type": "codeBlock", "attrs": {"language": language}, "content": [text(source)]}


def emoji(short_name: str, code_point: str, glyph: str) -> dict[str, Any]:
    return {"type": "emoji", "attrs": {"shortName": short_name, "id": code_point, "text": glyph}}


_MM_SS = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
_MILLIS = tuple(f"{ms:03d}" for ms in range(1000))


class Zone:
    """Jira timestamps (`2025-11-03T14:05:00.000+0900`) from epoch milliseconds in one zone.

    Formatting is the generator's hot spot (a dozen stamps per issue), so the text up to the
    hour is cached per UTC hour; that holds for zones whose offset is whole hours, and the
    others take the slower path.
    """

    def __init__(self, tz: str) -> None:
        self.tz = tz
        self._info = ZoneInfo(tz)
        self._hours: dict[int, tuple[str, str, bool]] = {}

    def __call__(self, ms: int) -> str:
        hour, rest = divmod(ms, HOUR)
        found = self._hours.get(hour)
        if found is None:
            found = self._hours[hour] = self._hour(hour)
        if found[2]:
            moment = datetime.fromtimestamp(ms // 1000, UTC).astimezone(self._info)
            return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}{moment:%z}"
        seconds, millis = divmod(rest, 1000)
        return f"{found[0]}{_MM_SS[seconds]}.{_MILLIS[millis]}{found[1]}"

    def _hour(self, hour: int) -> tuple[str, str, bool]:
        """(local "YYYY-MM-DDTHH:", "+0900", whether the offset is not whole hours)."""
        moment = datetime.fromtimestamp(hour * 3600, UTC).astimezone(self._info)
        delta = moment.utcoffset()
        offset = int(delta.total_seconds()) * 1000 if delta is not None else 0
        return f"{moment:%Y-%m-%dT%H}:", f"{moment:%z}", offset % HOUR != 0


@cache
def zone(tz: str) -> Zone:
    return Zone(tz)


SEOUL = zone("Asia/Seoul")


class Actor(NamedTuple):
    user: dict[str, Any]
    stamp: Zone  # formats times in the person's own zone
    handle: str
    mention: dict[str, Any]


def actor(index: int, person: Person) -> Actor:
    account = f"{0x5FC9E78D2730D800760B0000 + 7919 * (index + 1):024x}"
    user = {
        "self": f"{API}/user?accountId={account}",
        "accountId": account,
        "emailAddress": f"{person.handle}@example.com",
        "displayName": person.name,
        "active": True,
        "timeZone": person.tz,
        "accountType": "atlassian",
    }
    attrs = {"id": account, "text": f"@{person.name}", "accessLevel": ""}
    return Actor(user, zone(person.tz), person.handle, {"type": "mention", "attrs": attrs})


_BOT_ID = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"
AUTOMATION = Actor(
    {
        "self": f"{API}/user?accountId={_BOT_ID}",
        "accountId": _BOT_ID,
        "displayName": "Automation for Jira",
        "active": True,
        "timeZone": "Asia/Seoul",
        "accountType": "app",
    },
    zone("Asia/Seoul"),
    "automation",
    {},
)


def midnight_kst(ordinal: int) -> int:
    """Epoch milliseconds of 00:00 Asia/Seoul on the given proleptic ordinal day."""
    return (ordinal - _EPOCH_ORDINAL) * DAY - KST


def _item(
    field: str, old: str | None, old_text: str | None, new: str | None, new_text: str | None
) -> dict[str, Any]:
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
    for a, sa in STATUSES.items()
    for b, sb in STATUSES.items()
}
RESOLVE_ITEM = _item("resolution", None, None, "10000", "Done")
UNRESOLVE_ITEM = _item("resolution", "10000", "Done", None, None)


class Trail:
    """A ticket's history as it happens: changelog entries and comments, in time order."""

    def __init__(self, created: int, priority: str) -> None:
        self.created = created
        self.events: list[tuple[int, Actor, list[dict[str, Any]]]] = []
        self.comments: list[tuple[int, Actor, dict[str, Any]]] = []
        self.status, self.priority = OPEN, priority
        self.assignee: Actor | None = None
        self.resolved: int | None = None
        self.category_changed = created
        self.reopened, self.rounds = False, 0

    def move(self, ms: int, by: Actor, to: str, *extra: dict[str, Any]) -> None:
        self.events.append((ms, by, [_STATUS_ITEMS[self.status, to], *extra]))
        old = STATUSES[self.status]["statusCategory"]["key"]
        if STATUSES[to]["statusCategory"]["key"] != old:
            self.category_changed = ms
        self.status = to

    def assign(self, ms: int, by: Actor, to: Actor) -> None:
        old = self.assignee.user if self.assignee else {"accountId": None, "displayName": None}
        new = to.user
        item = _item(
            "assignee", old["accountId"], old["displayName"], new["accountId"], new["displayName"]
        )
        self.events.append((ms, by, [item]))
        self.assignee = to

    def reprioritise(self, ms: int, by: Actor, to: str) -> None:
        old, new = PRIORITIES[self.priority], PRIORITIES[to]
        self.events.append((ms, by, [_item("priority", old["id"], old["name"], new["id"], to)]))
        self.priority = to

    def comment(self, ms: int, by: Actor, body: dict[str, Any]) -> None:
        self.comments.append((ms, by, body))
