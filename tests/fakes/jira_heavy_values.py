"""The field values of a heavy fake Jira's issues (``weight="jira"``), shaped as in
/work/shared/reference/samples/jira: users with avatar URLs, statuses, projects, links,
attachments, worklogs and ~80 custom fields (most null, as on real sites), for Cloud (v3) and
Data Center (v2).

Values that repeat across issues are serialised once per renderer as ``Shared`` pieces;
extras an issue has but the store does not keep (links, attachments, time tracking) follow
from its id, so they never change between searches.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from fakes.jira_data import ISSUE_TYPES, PRIORITIES, USERS, StoredIssue
from fakes.jira_heavy_custom import SIZES, custom_values
from fakes.jira_heavy_text import ENVIRONMENTS
from fakes.jira_render import BOT, Renderer

_GRAVATAR = (
    "https://secure.gravatar.com/avatar/{digest}?d=https%3A%2F%2Favatar-management--avatars."
    "us-west-2.prod.public.atl-paas.net%2Finitials%2F{initials}-{n}.png"
)
_VERSIONS = ({"id": "10101", "name": "2025.11"}, {"id": "10102", "name": "2025.12"})
_COMPONENTS = ({"id": "10065", "name": "Database"}, {"id": "10066", "name": "Network"})
_FILES = (
    ("screenshot-1.png", "image/png", 184_213),
    ("pod-logs.txt", "text/plain", 48_122),
    ("har-export.har", "application/json", 1_204_551),
)


class Shared:
    """A value serialised once and referenced by many issues."""

    __slots__ = ("data", "fragment", "token")

    def __init__(self, data: bytes, index: int) -> None:
        self.data = data
        self.fragment = orjson.Fragment(data)
        self.token = f"\x00{index}\x00"


class Pieces(tuple[bytes, ...]):
    """A rendered issue: its JSON is the concatenation of the pieces."""

    __slots__ = ()


def as_fragment(value: Any) -> Any:
    """``orjson.dumps`` default: ``Shared`` and ``Pieces`` values as their bytes."""
    if isinstance(value, Shared):
        return value.fragment
    if isinstance(value, Pieces):
        return orjson.Fragment(b"".join(value))
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def spread(n: int) -> int:
    """A deterministic spread of an issue id, so each issue keeps its own extras unstored."""
    return (n * 2654435761) & 0xFFFFFFFF


class HeavyValues(Renderer):
    """Builds the values; ``HeavyRenderer`` assembles and caches issues from them."""

    def __init__(self, base_url: str, zone: ZoneInfo) -> None:
        super().__init__(base_url, zone)
        self.shared: list[Shared] = []
        self._known: dict[Any, Shared] = {}
        self._custom: dict[tuple[int, int], dict[str, Any]] = {}

    def share(self, value: Any) -> Shared:
        shared = Shared(orjson.dumps(value, default=as_fragment), len(self.shared))
        self.shared.append(shared)
        return shared

    def once(self, key: Any, build: Callable[[], Any]) -> Shared:
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self.share(build())
        return found

    def _user(self, name: str, api: int) -> dict[str, Any]:
        display, account = USERS.get(name) or BOT.get(name) or (name, f"acc-{name}")
        if api == 3:
            initials = "".join(word[0] for word in display.split()[:2]).upper()
            digest = f"{zlib.crc32(account.encode()):08x}" * 4
            url = _GRAVATAR.format(digest=digest, initials=initials, n=len(display) % 7)
            return {
                "self": f"{self.base}/rest/api/3/user?accountId={account}",
                "accountId": account,
                "emailAddress": f"{name}@example.com",
                "avatarUrls": dict.fromkeys(SIZES, url),
                "displayName": display,
                "active": True,
                "timeZone": str(self.zone),
                "accountType": "atlassian",
            }
        avatar = f"{self.base}/secure/useravatar?ownerId={name}&avatarId=10341"
        return {
            "self": f"{self.base}/rest/api/2/user?username={name}",
            "name": name,
            "key": name,
            "emailAddress": f"{name}@example.com",
            "avatarUrls": {
                size: avatar + ("" if size == "48x48" else f"&size={label}")
                for size, label in zip(SIZES, ("", "small", "xsmall", "medium"), strict=True)
            },
            "displayName": display,
            "active": True,
            "timeZone": str(self.zone),
        }

    def _status(self, name: str, api: int) -> Shared:
        def build() -> dict[str, Any]:
            return {
                **self.status(name, api),
                "description": f"The issue is {name.lower()}.",
                "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            }

        return self.once(("status", name, api), build)

    def _priority(self, name: str, api: int) -> Shared:
        def build() -> dict[str, Any]:
            pid = PRIORITIES[name]
            return {
                "self": f"{self.base}/rest/api/{api}/priority/{pid}",
                "iconUrl": f"{self.base}/images/icons/priorities/{name.lower()}.svg",
                "name": name,
                "id": pid,
            }

        return self.once(("priority", name, api), build)

    def _issuetype(self, name: str, api: int) -> Shared:
        def build() -> dict[str, Any]:
            tid = ISSUE_TYPES.get(name, "10001")
            out = {
                "self": f"{self.base}/rest/api/{api}/issuetype/{tid}",
                "id": tid,
                "description": f"A {name.lower()} raised through the service desk portal.",
                "iconUrl": f"{self.base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/10553?size=medium",
                "name": name,
                "subtask": False,
                "avatarId": 10553,
            }
            if api == 3:
                out |= {"entityId": f"7f3c1e2a-{tid}-4d6b-9a8e-2c1f0b5d{tid}", "hierarchyLevel": 0}
            return out

        return self.once(("issuetype", name, api), build)

    def _project(self, key: str, api: int) -> Shared:
        def build() -> dict[str, Any]:
            avatar = f"{self.base}/rest/api/{api}/universal_avatar/view/type/project/avatar/10425"
            return {
                "self": f"{self.base}/rest/api/{api}/project/10016",
                "id": "10016",
                "key": key,
                "name": f"{key} service desk",
                "projectTypeKey": "service_desk",
                "simplified": False,
                "avatarUrls": {
                    size: avatar + suffix
                    for size, suffix in zip(
                        SIZES, ("", "?size=small", "?size=xsmall", "?size=medium"), strict=True
                    )
                },
                "projectCategory": {
                    "self": f"{self.base}/rest/api/{api}/projectCategory/10000",
                    "id": "10000",
                    "description": "",
                    "name": "Operations",
                },
            }

        return self.once(("project", key, api), build)

    def _resolution(self, api: int) -> Shared:
        def build() -> dict[str, Any]:
            return {
                "self": f"{self.base}/rest/api/{api}/resolution/10000",
                "id": "10000",
                "description": "Work has been completed on this issue.",
                "name": "Done",
            }

        return self.once(("resolution", api), build)

    def _pick_versions(self, mix: int, api: int) -> list[dict[str, Any]]:
        chosen = _VERSIONS[: (mix >> 9) % 3]
        return [
            {
                "self": f"{self.base}/rest/api/{api}/version/{v['id']}",
                **v,
                "archived": False,
                "released": True,
                "releaseDate": "2025-11-30",
            }
            for v in chosen
        ]

    def _pick_components(self, mix: int, api: int) -> list[dict[str, Any]]:
        chosen = _COMPONENTS[: (mix >> 11) % 3]
        return [
            {
                "self": f"{self.base}/rest/api/{api}/component/{c['id']}",
                **c,
                "description": f"Everything about {c['name'].lower()}",
            }
            for c in chosen
        ]

    def _links(self, issue: StoredIssue, mix: int, api: int) -> list[dict[str, Any]]:
        base = f"{self.base}/rest/api/{api}"
        links = []
        for n in range(1, 1 + (mix >> 13) % 3):
            if issue.number <= n:
                break
            other = {
                "id": str(issue.id - n),
                "key": f"{issue.project}-{issue.number - n}",
                "self": f"{base}/issue/{issue.id - n}",
                "fields": {
                    "summary": issue.summary,
                    "status": self._status("Open", api),
                    "priority": self._priority("Medium", api),
                    "issuetype": self._issuetype(issue.issuetype, api),
                },
            }
            links.append(
                {
                    "id": str(40_000 + issue.id * 3 + n),
                    "self": f"{base}/issueLink/{40_000 + issue.id * 3 + n}",
                    "type": {
                        "id": "10003",
                        "name": "Relates",
                        "inward": "relates to",
                        "outward": "relates to",
                        "self": f"{base}/issueLinkType/10003",
                    },
                    "outwardIssue": other,
                }
            )
        return links

    def _attachments(self, issue: StoredIssue, mix: int, api: int) -> list[dict[str, Any]]:
        out = []
        for n in range((mix >> 15) % 4 if (mix >> 17) % 3 == 0 else 0):
            name, mime, size = _FILES[n]
            aid = 50_000 + issue.id * 4 + n
            out.append(
                {
                    "self": f"{self.base}/rest/api/{api}/attachment/{aid}",
                    "id": str(aid),
                    "filename": name,
                    "author": self.user(issue.reporter, api),
                    "created": self.ts(issue.created + timedelta(minutes=n + 1)),
                    "size": size,
                    "mimeType": mime,
                    "content": f"{self.base}/rest/api/{api}/attachment/content/{aid}",
                }
            )
            if mime.startswith("image/"):
                out[-1]["thumbnail"] = f"{self.base}/rest/api/{api}/attachment/thumbnail/{aid}"
        return out

    def _worklogs(self, issue: StoredIssue, mix: int, api: int) -> dict[str, Any]:
        logs = []
        author = issue.assignee or issue.reporter
        for n in range((mix >> 19) % 3 if (mix >> 21) % 2 == 0 else 0):
            wid = 60_000 + issue.id * 2 + n
            at = self.ts(issue.created + timedelta(hours=n + 1))
            note = ENVIRONMENTS[n]
            logs.append(
                {
                    "self": f"{self.base}/rest/api/{api}/issue/{issue.id}/worklog/{wid}",
                    "author": self.user(author, api),
                    "updateAuthor": self.user(author, api),
                    "comment": self.body(note, api),
                    "created": at,
                    "updated": at,
                    "started": at,
                    "timeSpent": "30m",
                    "timeSpentSeconds": 1800,
                    "id": str(wid),
                    "issueId": str(issue.id),
                }
            )
        return {"startAt": 0, "maxResults": 20, "total": len(logs), "worklogs": logs}

    def _custom_fields(self, variant: int, api: int) -> dict[str, Any]:
        """The custom fields of one of 8 variants: most null, as on real sites; the big
        values are shared."""
        found = self._custom.get((variant, api))
        if found is None:
            values = custom_values(self, variant, api)
            found = self._custom[(variant, api)] = {
                name: self.share(value) if isinstance(value, dict | list) else value
                for name, value in values.items()
            }
        return found
