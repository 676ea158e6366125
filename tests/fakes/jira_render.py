"""How the fake Jira renders stored issues as Cloud (v3) or Data Center (v2) JSON.

Shapes follow the captured samples in /work/shared/reference/samples/jira: v3 (Cloud) bodies
are ADF and users carry ``accountId``; v2 bodies are plain strings and users carry
``name``/``key``. Timestamps render in the fake user's zone with a ``+0000``-style offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fakes.jira_data import (
    ALL_FIELDS,
    ISSUE_TYPES,
    PRIORITIES,
    STATUSES,
    USERS,
    Comment,
    History,
    RichText,
    StoredIssue,
)


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


def resolve_fields(
    requested: list[str], default: str, every: frozenset[str] = ALL_FIELDS
) -> frozenset[str] | None:
    """Field names to render out of ``every``; None means ids only (the Cloud
    enhanced-search default)."""
    names = [part.strip() for item in requested for part in item.split(",") if part.strip()]
    names = names or [default]
    chosen: set[str] = set()
    for name in names:
        if name in ("*all", "*navigable"):
            chosen |= every
        elif not name.startswith("-"):
            chosen.add(name)
    chosen -= {name[1:] for name in names if name.startswith("-")}
    if chosen <= {"id", "key"} and "key" not in chosen:
        return None
    return frozenset(chosen)


# The account the fake's API user is (`/myself`): what it writes is authored by it.
BOT_NAME = "svc-sync"
BOT = {BOT_NAME: ("Ticket Analytics Bot", "5f1c0ffee0000000000b0700")}


class Renderer:
    def __init__(self, base_url: str, zone: ZoneInfo) -> None:
        self.base = base_url
        self.zone = zone

    def ts(self, moment: datetime) -> str:
        # isoformat is several times faster than strftime; Jira writes the offset without a colon.
        text = moment.astimezone(self.zone).isoformat(timespec="milliseconds")
        return text[:-3] + text[-2:]

    def user(self, name: str | None, api: int) -> dict[str, Any] | None:
        if name is None:
            return None
        display, account = USERS.get(name) or BOT.get(name) or (name, f"acc-{name}")
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

    def body(self, body: Any, api: int) -> Any:
        """A comment or description body as ``api`` carries it: ADF on v3, text on v2."""
        if isinstance(body, RichText):
            return body.adf if api == 3 else body.wiki
        if api == 3:
            return body if isinstance(body, dict) else text_to_adf(body)
        return adf_to_text(body)

    def comment(self, issue: StoredIssue, c: Comment, api: int) -> dict[str, Any]:
        body = self.body(c.body, api)
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
        comment_limit: int | None = None,
    ) -> dict[str, Any]:
        """``changelog``: "none", "recent" (Cloud: newest first, truncated) or "all" (oldest
        first). ``comment_limit``: embed only the oldest comments, as Cloud search does."""
        if fields is None and api == 3 and changelog == "none":
            return {"id": str(issue.id)}
        out: dict[str, Any] = {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": str(issue.id),
            "self": f"{self.base}/rest/api/{api}/issue/{issue.id}",
            "key": issue.key,
            "fields": self.fields(issue, api, fields or frozenset(), comment_limit),
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

    def cached_issue(self, issue: StoredIssue, **options: Any) -> Any:
        """The issue as a search or GET returns it, given ``issue``'s options; light issues
        are cheap enough to render every time."""
        return self.issue(issue, **options)

    def status(self, name: str, api: int) -> dict[str, Any]:
        sid, cid, ckey, colour, cname = STATUSES[name]
        base = f"{self.base}/rest/api/{api}"
        return {
            "self": f"{base}/status/{sid}",
            "description": "",
            "name": name,
            "id": sid,
            "statusCategory": {
                "self": f"{base}/statuscategory/{cid}",
                "id": cid,
                "key": ckey,
                "colorName": colour,
                "name": cname,
            },
        }

    def fields(
        self,
        issue: StoredIssue,
        api: int,
        wanted: frozenset[str],
        comment_limit: int | None = None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        base = f"{self.base}/rest/api/{api}"
        for name in wanted & ALL_FIELDS:
            if name == "summary":
                out[name] = issue.summary
            elif name == "description":
                text = issue.rich_description or issue.description
                out[name] = self.body(text, api) if text else None
            elif name == "status":
                out[name] = self.status(issue.status, api)
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
                shown = issue.comments[:comment_limit]
                out[name] = {
                    "comments": [self.comment(issue, c, api) for c in shown],
                    "maxResults": len(shown),
                    "total": len(issue.comments),
                    "startAt": 0,
                }
        return out
