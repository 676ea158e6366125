"""Issue model, generator and JSON rendering for the fake Jira.

Shapes follow the captured samples in /work/shared/reference/samples/jira: v3 (Cloud) bodies
are ADF and users carry ``accountId``; v2 bodies are plain strings and users carry
``name``/``key``. Timestamps render in the fake user's zone with a ``+0000``-style offset.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
    body: Any  # plain str, or an ADF doc when posted through v3
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


def text_to_adf(text: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for block in (b for b in text.split("\n\n") if b.strip()):
        lines = block.split("\n")
        if all(line.startswith("- ") for line in lines):
            items = [{"type": "listItem", "content": [_paragraph(line[2:])]} for line in lines]
            content.append({"type": "bulletList", "content": items})
        else:
            content.append(_paragraph(block))
    return {"type": "doc", "version": 1, "content": content}


def _paragraph(text: str) -> dict[str, Any]:
    inline: list[dict[str, Any]] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            inline.append({"type": "hardBreak"})
        if line:
            inline.append({"type": "text", "text": line})
    return {"type": "paragraph", "content": inline}


def adf_to_text(node: Any) -> str:
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    parts = [adf_to_text(child) for child in node.get("content") or []]
    joiner = "\n\n" if node.get("type") in ("doc", "bulletList") else ""
    return joiner.join(parts)


def resolve_fields(requested: list[str], default: str) -> frozenset[str] | None:
    """Field names to render; None means ids only (the Cloud enhanced-search default)."""
    names = [part.strip() for item in requested for part in item.split(",") if part.strip()]
    names = names or [default]
    chosen: set[str] = set()
    for name in names:
        if name in ("*all", "*navigable"):
            chosen |= ALL_FIELDS
        elif not name.startswith("-"):
            chosen.add(name)
    chosen -= {name[1:] for name in names if name.startswith("-")}
    if chosen <= {"id", "key"} and "key" not in chosen:
        return None
    return frozenset(chosen)


class Renderer:
    def __init__(self, base_url: str, zone: ZoneInfo) -> None:
        self.base = base_url
        self.zone = zone

    def ts(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone)
        return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{local:%z}"

    def user(self, name: str | None, api: int) -> dict[str, Any] | None:
        if name is None:
            return None
        display, account = USERS.get(name, (name, f"acc-{name}"))
        if api == 3:
            return {
                "self": f"{self.base}/rest/api/3/user?accountId={account}",
                "accountId": account,
                "displayName": display,
                "active": True,
                "timeZone": str(self.zone),
                "accountType": "atlassian",
            }
        return {
            "self": f"{self.base}/rest/api/2/user?username={name}",
            "name": name,
            "key": name,
            "emailAddress": f"{name}@example.com",
            "displayName": display,
            "active": True,
        }

    def history(self, h: History, api: int) -> dict[str, Any]:
        items = []
        for fld, old, old_s, new, new_s in h.items:
            item = {
                "field": fld,
                "fieldtype": "jira",
                "from": old,
                "fromString": old_s,
                "to": new,
                "toString": new_s,
            }
            if api == 3:
                item["fieldId"] = fld
            items.append(item)
        return {
            "id": str(h.id),
            "author": self.user(h.author, api),
            "created": self.ts(h.created),
            "items": items,
        }

    def comment(self, issue: StoredIssue, c: Comment, api: int) -> dict[str, Any]:
        if api == 3:
            body = c.body if isinstance(c.body, dict) else text_to_adf(c.body)
        else:
            body = adf_to_text(c.body)
        author = self.user(c.author, api)
        out = {
            "self": f"{self.base}/rest/api/{api}/issue/{issue.id}/comment/{c.id}",
            "id": str(c.id),
            "author": author,
            "body": body,
            "updateAuthor": author,
            "created": self.ts(c.created),
            "updated": self.ts(c.updated),
        }
        if api == 3:
            out["jsdPublic"] = True
        return out

    def issue(
        self,
        issue: StoredIssue,
        *,
        api: int,
        fields: frozenset[str] | None,
        changelog: str = "none",
        changelog_limit: int | None = None,
    ) -> dict[str, Any]:
        """``changelog``: "none", "recent" (Cloud: newest first, truncated) or "all" (oldest first)."""
        if fields is None and api == 3 and changelog == "none":
            return {"id": str(issue.id)}
        out: dict[str, Any] = {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": str(issue.id),
            "self": f"{self.base}/rest/api/{api}/issue/{issue.id}",
            "key": issue.key,
            "fields": self.fields(issue, api, fields or frozenset()),
        }
        if changelog != "none":
            histories = issue.histories
            total = len(histories)
            if changelog == "recent":
                histories = histories[::-1][: changelog_limit or total]
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": total,
                "histories": [self.history(h, api) for h in histories],
            }
        return out

    def fields(self, issue: StoredIssue, api: int, wanted: frozenset[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        base = f"{self.base}/rest/api/{api}"
        for name in wanted & ALL_FIELDS:
            if name == "summary":
                out[name] = issue.summary
            elif name == "description":
                text = issue.description
                out[name] = (text_to_adf(text) if api == 3 else text) if text else None
            elif name == "status":
                sid, cid, ckey, colour, cname = STATUSES[issue.status]
                out[name] = {
                    "self": f"{base}/status/{sid}",
                    "description": "",
                    "name": issue.status,
                    "id": sid,
                    "statusCategory": {
                        "self": f"{base}/statuscategory/{cid}",
                        "id": cid,
                        "key": ckey,
                        "colorName": colour,
                        "name": cname,
                    },
                }
            elif name == "priority":
                pid = PRIORITIES[issue.priority]
                out[name] = {"self": f"{base}/priority/{pid}", "name": issue.priority, "id": pid}
            elif name == "issuetype":
                tid = ISSUE_TYPES.get(issue.issuetype, "10001")
                out[name] = {
                    "self": f"{base}/issuetype/{tid}",
                    "id": tid,
                    "name": issue.issuetype,
                    "subtask": False,
                }
            elif name == "labels":
                out[name] = list(issue.labels)
            elif name in ("reporter", "creator"):
                out[name] = self.user(issue.reporter, api)
            elif name == "assignee":
                out[name] = self.user(issue.assignee, api)
            elif name in ("created", "updated"):
                out[name] = self.ts(getattr(issue, name))
            elif name == "resolutiondate":
                out[name] = self.ts(issue.resolutiondate) if issue.resolutiondate else None
            elif name == "resolution":
                out[name] = {"name": "Done", "id": "10000"} if issue.resolutiondate else None
            elif name == "project":
                out[name] = {
                    "self": f"{base}/project/{issue.project}",
                    "key": issue.project,
                    "name": f"{issue.project} service desk",
                }
            elif name == "comment":
                comments = [self.comment(issue, c, api) for c in issue.comments]
                out[name] = {
                    "comments": comments,
                    "maxResults": len(comments),
                    "total": len(comments),
                    "startAt": 0,
                }
        return out


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
