"""How a heavy fake Jira (``weight="jira"``) renders issues: every system field of ``*all``
and the custom fields (values in ``jira_heavy_values``), ADF or wiki bodies, histories with
fieldIds, comment pages that say how many comments there are in all.

A rendered issue is kept as its own bytes between references to ``Shared`` pieces, until the
issue changes: a search page then costs the fake a join of cached bytes (about 1 ms per page of
100), and 100k heavy issues about 1 GB.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from fakes.jira_data import Comment, History, StoredIssue
from fakes.jira_heavy_custom import CUSTOM_FIELDS
from fakes.jira_heavy_text import ENVIRONMENTS
from fakes.jira_heavy_values import HeavyValues, Pieces, Shared, spread

SYSTEM_FIELDS = (
    "statuscategorychangedate",
    "issuetype",
    "timespent",
    "project",
    "fixVersions",
    "aggregatetimespent",
    "resolution",
    "resolutiondate",
    "workratio",
    "watches",
    "lastViewed",
    "issuerestriction",
    "created",
    "priority",
    "labels",
    "timeestimate",
    "aggregatetimeoriginalestimate",
    "versions",
    "issuelinks",
    "assignee",
    "updated",
    "status",
    "components",
    "timeoriginalestimate",
    "description",
    "timetracking",
    "security",
    "aggregatetimeestimate",
    "attachment",
    "summary",
    "creator",
    "subtasks",
    "reporter",
    "aggregateprogress",
    "environment",
    "duedate",
    "progress",
    "votes",
    "comment",
    "worklog",
)
HEAVY_FIELDS = frozenset((*SYSTEM_FIELDS, *CUSTOM_FIELDS))
# History items of fields Jira keeps as custom fields, and the system ids of renamed ones.
_ITEM_IDS = {
    "Sprint": ("custom", "customfield_10020"),
    "Rank": ("custom", "customfield_10019"),
    "Request participants": ("custom", "customfield_10026"),
    "Attachment": ("jira", "attachment"),
    "Component": ("jira", "components"),
    "Fix Version": ("jira", "fixVersions"),
    "Link": ("jira", "issuelinks"),
}
_TOKEN = re.compile(rb'"\\u0000(\d+)\\u0000"')


def _as_token(value: Any) -> Any:
    if isinstance(value, Shared):
        return value.token
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class HeavyRenderer(HeavyValues):
    """Renders heavy issues and keeps each one's JSON, as ``Pieces``, until it changes."""

    def __init__(self, base_url: str, zone: ZoneInfo) -> None:
        super().__init__(base_url, zone)
        self._bodies: dict[tuple[int, int], tuple[Any, Shared]] = {}
        self._rendered: dict[int, tuple[tuple[Any, ...], Pieces]] = {}

    def cached_issue(self, issue: StoredIssue, **options: Any) -> Any:
        """The issue as JSON, rendered again only after it changed."""
        if options.get("fields") is None:
            return self.issue(issue, **options)
        key = (issue.revision, tuple(sorted(options.items(), key=lambda kv: kv[0])))
        found = self._rendered.get(issue.id)
        if found is None or found[0] != key:
            text = orjson.dumps(self.issue(issue, **options), default=_as_token)
            parts = _TOKEN.split(text)
            parts[1::2] = [self.shared[int(index)].data for index in parts[1::2]]
            found = self._rendered[issue.id] = (key, Pieces(parts))
        return found[1]

    def user(self, name: str | None, api: int) -> Any:
        if name is None:
            return None
        return self.once(("user", name, api), lambda: self._user(name, api))

    def body(self, body: Any, api: int) -> Any:
        if isinstance(body, str | dict):
            return super().body(body, api)  # posted through the API: rendered every time
        found = self._bodies.get((id(body), api))
        if found is None or found[0] is not body:
            found = self._bodies[(id(body), api)] = (body, self.share(super().body(body, api)))
        return found[1]

    def history(self, h: History, api: int) -> dict[str, Any]:
        return {
            "id": str(h.id),
            "author": self.user(h.author, api),
            "created": self.ts(h.created),
            "items": self.once(("items", h.items, api), lambda: self._items(h, api)),
        }

    def _items(self, h: History, api: int) -> list[dict[str, Any]]:
        items = []
        for fld, old, old_s, new, new_s in h.items:
            fieldtype, field_id = _ITEM_IDS.get(fld, ("jira", fld))
            item: dict[str, Any] = {"field": fld, "fieldtype": fieldtype}
            if api == 3:
                item["fieldId"] = field_id
            item |= {"from": old, "fromString": old_s, "to": new, "toString": new_s}
            if api == 3 and fld == "assignee":
                item |= {"tmpFromAccountId": old, "tmpToAccountId": new}
            items.append(item)
        return items

    def comment(self, issue: StoredIssue, c: Comment, api: int) -> dict[str, Any]:
        out = super().comment(issue, c, api)
        if api == 2 and spread(c.id) % 10 == 0:
            out["visibility"] = {"type": "role", "value": "Service Desk Team"}
        return out

    def fields(
        self,
        issue: StoredIssue,
        api: int,
        wanted: frozenset[str],
        comment_limit: int | None = None,
    ) -> dict[str, Any]:
        everything = self._system(issue, api, comment_limit)
        everything |= self._custom_fields(spread(issue.id) % 8, api)
        if wanted >= HEAVY_FIELDS:
            return everything
        return {k: v for k, v in everything.items() if k in wanted}

    def _system(self, issue: StoredIssue, api: int, comment_limit: int | None) -> dict[str, Any]:
        base = f"{self.base}/rest/api/{api}"
        mix = spread(issue.id)
        spent = (mix >> 3) % 5 * 1800
        estimate = (mix >> 6) % 4 * 3600
        changed = next(
            (h.created for h in reversed(issue.histories) if h.items[0][0] == "status"),
            issue.created,
        )
        shown = issue.comments[:comment_limit]
        description = issue.rich_description or issue.description
        tracking = {}
        if spent or estimate:
            tracking = {
                "originalEstimate": f"{estimate // 3600}h",
                "remainingEstimate": f"{estimate // 3600}h",
                "timeSpent": f"{spent // 60}m",
                "originalEstimateSeconds": estimate,
                "remainingEstimateSeconds": estimate,
                "timeSpentSeconds": spent,
            }
        progress = {"progress": spent, "total": spent + estimate}
        if spent + estimate:
            progress["percent"] = spent * 100 // (spent + estimate)
        return {
            "statuscategorychangedate": self.ts(changed),
            "issuetype": self._issuetype(issue.issuetype, api),
            "timespent": spent or None,
            "project": self._project(issue.project, api),
            "fixVersions": self._pick_versions(mix, api),
            "aggregatetimespent": spent or None,
            "resolution": self._resolution(api) if issue.resolutiondate else None,
            "resolutiondate": self.ts(issue.resolutiondate) if issue.resolutiondate else None,
            "workratio": -1 if not estimate else spent * 100 // estimate,
            "watches": {
                "self": f"{base}/issue/{issue.key}/watchers",
                "watchCount": 1 + mix % 4,
                "isWatching": False,
            },
            "lastViewed": self.ts(issue.updated) if mix % 3 == 0 else None,
            "issuerestriction": {"issuerestrictions": {}, "shouldDisplay": False},
            "created": self.ts(issue.created),
            "priority": self._priority(issue.priority, api),
            "labels": list(issue.labels),
            "timeestimate": estimate or None,
            "aggregatetimeoriginalestimate": estimate or None,
            "versions": [],
            "issuelinks": self._links(issue, mix, api),
            "assignee": self.user(issue.assignee, api),
            "updated": self.ts(issue.updated),
            "status": self._status(issue.status, api),
            "components": self._pick_components(mix, api),
            "timeoriginalestimate": estimate or None,
            "description": self.body(description, api) if description else None,
            "timetracking": tracking,
            "security": None,
            "aggregatetimeestimate": estimate or None,
            "attachment": self._attachments(issue, mix, api),
            "summary": issue.summary,
            "creator": self.user(issue.reporter, api),
            "subtasks": [],
            "reporter": self.user(issue.reporter, api),
            "aggregateprogress": progress,
            "environment": self.body(ENVIRONMENTS[mix % 3], api) if mix % 4 == 0 else None,
            "duedate": (issue.created + timedelta(days=7)).date().isoformat()
            if mix % 5 == 0
            else None,
            "progress": progress,
            "votes": {"self": f"{base}/issue/{issue.key}/votes", "votes": 0, "hasVoted": False},
            "comment": {
                "comments": [self.comment(issue, c, api) for c in shown],
                "self": f"{base}/issue/{issue.id}/comment",
                "maxResults": len(shown),
                "total": len(issue.comments),
                "startAt": 0,
            },
            "worklog": self._worklogs(issue, mix, api),
        }
