"""Issue model and deterministic generator of the fake Jira (rendering: ``jira_render``)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

USERS = {
    "alice": ("Alice Ops", "5f1c0ffee00000000000a11c"),
    "bob": ("Bob Builder", "5f1c0ffee00000000000b0b0"),
    "carol": ("Carol SRE", "5f1c0ffee00000000000ca01"),
    "dave": ("Dave Platform", "5f1c0ffee00000000000da7e"),
    "erin": ("Erin Security", "5f1c0ffee00000000000e410"),
}
# name -> (id, category id, category key, colour, category name)
STATUSES = {
    "Open": ("1", 2, "new", "blue-gray", "To Do"),
    "In Progress": ("3", 4, "indeterminate", "yellow", "In Progress"),
    "Waiting for customer": ("10002", 4, "indeterminate", "yellow", "In Progress"),
    "Resolved": ("5", 3, "done", "green", "Done"),
    "Closed": ("6", 3, "done", "green", "Done"),
}
_NEXT_STATUS = {
    "Open": ("In Progress",),
    "In Progress": ("Waiting for customer", "Resolved", "Resolved"),
    "Waiting for customer": ("In Progress",),
    "Resolved": ("Closed", "In Progress"),
    "Closed": ("In Progress",),
}
PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
ISSUE_TYPES = {"Service Request": "10001", "Incident": "10002", "Task": "10003", "Bug": "10004"}
ALL_FIELDS = frozenset(
    {
        "summary",
        "description",
        "status",
        "priority",
        "issuetype",
        "labels",
        "reporter",
        "assignee",
        "creator",
        "created",
        "updated",
        "resolution",
        "resolutiondate",
        "project",
        "comment",
    }
)
_SUMMARIES = (
    "Provision {db} database for {team}",
    "Access request: {system} for {user}",
    "Rotate TLS certificate on {host}",
    "CI pipeline failing on {repo}",
    "Increase disk on {host}",
    "Create DNS record {host}.internal",
    "Kubernetes namespace for {team}",
    "VPN access for new hire in {team}",
    "Alert noise: {alert} firing on {host}",
    "Grant {system} read access to {team}",
)
_WORDS = {
    "db": ("Postgres", "MySQL", "Redis", "MongoDB"),
    "team": ("payments", "search", "data", "mobile"),
    "system": ("Grafana", "Vault", "AWS console", "Jenkins"),
    "user": ("J. Smith", "A. Kumar"),
    "host": ("web-01", "db-07", "k8s-node-3", "gw-2"),
    "repo": ("api", "frontend", "infra"),
    "alert": ("HighCPU", "DiskFull", "5xxRate"),
}
_LABELS = ("access", "database", "network", "ci", "urgent", "security", "k8s")


@dataclass(frozen=True, slots=True)
class RichText:
    """One body as Jira serves it: ADF for Cloud (v3), wiki markup for Data Center (v2)."""

    adf: dict[str, Any]
    wiki: str


@dataclass(slots=True)
class History:
    id: int
    author: str
    created: datetime
    items: tuple[tuple[str, str | None, str | None, str | None, str | None], ...]


@dataclass(slots=True)
class Comment:
    id: int
    author: str
    body: Any  # plain str, an ADF doc when posted through v3, or a generated RichText
    created: datetime
    updated: datetime


@dataclass(slots=True)
class StoredIssue:
    id: int
    project: str
    number: int
    created: datetime
    updated: datetime
    summary: str
    description: str
    status: str = "Open"
    priority: str = "Medium"
    issuetype: str = "Service Request"
    labels: list[str] = field(default_factory=list)
    reporter: str = "alice"
    assignee: str | None = None
    resolutiondate: datetime | None = None
    histories: list[History] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    # A heavy issue's description as Jira renders it; `description` then holds its plain text.
    rich_description: RichText | None = None
    # Bumped by every change, so a rendering cached for an older revision is never served.
    revision: int = 0

    @property
    def key(self) -> str:
        return f"{self.project}-{self.number}"


def random_summary(rng: random.Random) -> str:
    template = rng.choice(_SUMMARIES)
    return template.format(**{k: rng.choice(v) for k, v in _WORDS.items()})


def random_description(rng: random.Random, summary: str) -> str:
    steps = "\n".join(
        f"- {rng.choice(('check', 'update', 'verify'))} {rng.choice(_WORDS['host'])}"
        for _ in range(rng.randint(1, 3))
    )
    return f"{summary}.\n\nRequested by the {rng.choice(_WORDS['team'])} team.\n\n{steps}"


def _pick(rng: random.Random, seq: tuple[Any, ...]) -> Any:
    # rng.choice costs ~3x more; generating 100k issues makes thousands of picks per second.
    return seq[int(rng.random() * len(seq))]


def _pools() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, ...], ...]]:
    rng = random.Random(20251101)
    summaries = [random_summary(rng) for _ in range(256)]
    texts = tuple((s, random_description(rng, s)) for s in summaries)
    labels = tuple(tuple(rng.sample(_LABELS, rng.choice((0, 1, 1, 2)))) for _ in range(64))
    return texts, labels


_TEXTS, _LABEL_SETS = _pools()
_USER_NAMES = tuple(USERS)
_ASSIGNEES = (*USERS, None)
_PRIORITY_MIX = ("High", "Medium", "Medium", "Low", "Highest")
_TYPE_NAMES = tuple(ISSUE_TYPES)
_COMMENT_TEXTS = ("Looking into it.", "Done, please verify.", "Any update?", "Approved.")


def walk(issue: StoredIssue, rng: random.Random, count: int, first_id: int) -> int:
    """Append ``count`` status transitions between created and updated; returns the next id."""
    if count <= 0:
        return first_id
    span = (issue.updated - issue.created) / count
    status = issue.status
    for n in range(count):
        at = issue.updated if n == count - 1 else issue.created + span * (n + rng.random())
        target = _pick(rng, _NEXT_STATUS[status])
        item = ("status", STATUSES[status][0], status, STATUSES[target][0], target)
        issue.histories.append(History(first_id + n, _pick(rng, _USER_NAMES), at, (item,)))
        status = target
        if STATUSES[status][2] == "done" and issue.resolutiondate is None:
            issue.resolutiondate = at
        elif STATUSES[status][2] != "done":
            issue.resolutiondate = None
    issue.status = status
    return first_id + count


def generated(
    rng: random.Random,
    *,
    issue_id: int,
    project: str,
    number: int,
    created: datetime,
    now: datetime,
    histories: int,
    comments: int,
    history_id: int,
    comment_id: int,
) -> tuple[StoredIssue, int, int]:
    """One realistic issue; returns it with the next free history and comment ids."""
    updated = created + timedelta(
        minutes=1 + int(rng.random() * 3 * 24 * 60), milliseconds=int(rng.random() * 1000)
    )
    if created <= now < updated:
        updated = now
    summary, description = _pick(rng, _TEXTS)
    issue = StoredIssue(
        id=issue_id,
        project=project,
        number=number,
        created=created,
        updated=updated,
        summary=summary,
        description=description,
        priority=_pick(rng, _PRIORITY_MIX),
        issuetype=_pick(rng, _TYPE_NAMES),
        labels=list(_pick(rng, _LABEL_SETS)),
        reporter=_pick(rng, _USER_NAMES),
        assignee=_pick(rng, _ASSIGNEES),
    )
    history_id = walk(issue, rng, histories, history_id)
    for n in range(comments):
        at = created + (updated - created) * rng.random()
        body = _pick(rng, _COMMENT_TEXTS)
        issue.comments.append(Comment(comment_id + n, _pick(rng, _USER_NAMES), body, at, at))
    issue.comments.sort(key=lambda c: c.created)
    return issue, history_id, comment_id + comments
