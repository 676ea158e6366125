"""Endpoint handlers of the fake Jira: one function per REST resource, flavor rules inline."""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from fakes.jira_heavy_values import Pieces
from fakes.jira_render import BOT, BOT_NAME, resolve_fields

if TYPE_CHECKING:
    from fakes.jira_server import FakeJira

_API = re.compile(r"/rest/api/(2|3|latest)/(.+?)/?")
_ISSUE = re.compile(r"issue/([^/]+)(?:/(changelog|comment)(?:/(\d+))?)?")
REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
NO_ISSUE = "Issue does not exist or you do not have permission to see it."


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # the body as sent, e.g. a proxy's HTML error page
    content_type: str = "text/html"  # of ``raw``


def _reply(status: int, body: Any = None) -> Reply:
    return Reply(status, body)


def _page(result: dict[str, Any]) -> Reply:
    """A search page. Pre-rendered issues are joined into the body once: dumping them again
    made a page cost the heavy fake a fifth of what parsing it costs a client."""
    issues = result["issues"]
    if not issues or not all(isinstance(issue, Pieces) for issue in issues):
        return _reply(200, result)
    parts = [b'{"issues":[']
    for n, issue in enumerate(issues):
        if n:
            parts.append(b",")
        parts += issue
    rest = orjson.dumps({k: v for k, v in result.items() if k != "issues"})
    parts.append(b"]}" if rest == b"{}" else b"]," + rest[1:])
    return Reply(200, result, raw=b"".join(parts), content_type="application/json;charset=UTF-8")


def _error(status: int, *messages: str, **errors: str) -> Reply:
    return _reply(status, {"errorMessages": list(messages), "errors": errors})


def _params(method: str, query: dict[str, list[str]], body: Any) -> dict[str, Any]:
    if method in ("POST", "PUT") and isinstance(body, dict):
        return body
    # Query strings repeat or comma-join list parameters; keep both forms as one list.
    params: dict[str, Any] = {name: values[-1] for name, values in query.items()}
    for name in ("fields", "reconcileIssues"):
        if name in query:
            params[name] = [p for v in query[name] for p in v.split(",") if p]
    return params


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    return [str(v) for v in value]


def route(fake: FakeJira, method: str, path: str, query: dict[str, list[str]], body: Any) -> Reply:
    match = _API.fullmatch(path)
    cloud = fake.flavor == "cloud"
    if not match or (match.group(1) == "3" and not cloud):
        return _error(404, f"null for uri: {fake.url}{path}")
    api = 3 if match.group(1) == "3" else 2
    resource = match.group(2)
    params = _params(method, query, body)
    if resource == "serverInfo" and method == "GET":
        return _reply(200, _server_info(fake))
    if resource == "myself" and method == "GET":
        return _reply(200, _myself(fake, api))
    if resource in ("search", "search/id"):
        if cloud:
            return _error(410, REMOVED)
        if resource == "search" and method in ("GET", "POST"):
            return _dc_search(fake, params)
    if cloud and resource == "search/jql" and method in ("GET", "POST"):
        return _cloud_search(fake, params, method)
    if cloud and resource == "search/approximate-count" and method == "POST":
        jql = str(params.get("jql") or "")
        if not fake.parse(jql).bounded:
            return _error(400, "Unbounded JQL queries are not allowed here.")
        return _reply(200, {"count": len(fake.matching(jql))})
    issue_match = _ISSUE.fullmatch(resource)
    if issue_match:
        if issue_match.group(3) is not None:
            return _comment_resource(
                fake, method, api, issue_match.group(1), int(issue_match.group(3)), params
            )
        return _issue_resource(
            fake, method, api, issue_match.group(1), issue_match.group(2), params
        )
    return _error(404, f"null for uri: {fake.url}{path}")


def _server_info(fake: FakeJira) -> dict[str, Any]:
    now = fake.renderer().ts(fake.clock())
    if fake.flavor == "cloud":
        return {
            "baseUrl": fake.url,
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100296,
            "serverTime": now,
            "scmInfo": "57a0ca5b",
            "serverTitle": "Jira",
        }
    return {
        "baseUrl": fake.url,
        "version": "9.12.15",
        "versionNumbers": [9, 12, 15],
        "deploymentType": "Server",
        "buildNumber": 9120015,
        "serverTime": now,
        "scmInfo": "a7e6ab5c",
        "serverTitle": "Jira",
    }


def _myself(fake: FakeJira, api: int) -> dict[str, Any]:
    common = {
        "emailAddress": fake.email,
        "displayName": "Ticket Analytics Bot",
        "active": True,
        "timeZone": fake.time_zone,
        "locale": "en_US",
    }
    if api == 3 or fake.flavor == "cloud":
        return {
            "self": f"{fake.url}/rest/api/{api}/user?accountId=5f1c0ffee0000000000b0700",
            "accountId": "5f1c0ffee0000000000b0700",
            "accountType": "atlassian",
            **common,
        }
    return {
        "self": f"{fake.url}/rest/api/2/user?username=svc-sync",
        "key": "svc-sync",
        "name": "svc-sync",
        **common,
    }


def _token(offset: int, jql: str) -> str:
    raw = orjson.dumps({"o": offset, "q": zlib.crc32(jql.encode())})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str, jql: str) -> int | None:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["o"]) if data["q"] == zlib.crc32(jql.encode()) else None
    except (ValueError, KeyError, TypeError):
        return None


def _cloud_search(fake: FakeJira, params: dict[str, Any], method: str) -> Reply:
    jql = str(params.get("jql") or "")
    query = fake.parse(jql)
    if not query.bounded:
        return _error(
            400,
            "Unbounded JQL queries are not allowed here. "
            "Please add a search restriction to your query.",
        )
    if len(query.order) > 7:
        return _error(400, "The ORDER BY clause can contain at most 7 fields.")
    expand = params.get("expand", "")
    if method == "POST" and not isinstance(expand, str):
        # The real bean declares expand as a comma-delimited string, even in POST bodies.
        return _error(400, "Invalid request payload. Refer to the REST API documentation.")
    fields = resolve_fields(_as_list(params.get("fields")), "id", fake.field_names)
    reconcile_ids = _as_list(params.get("reconcileIssues"))
    if len(reconcile_ids) > 50 or not all(r.isdigit() for r in reconcile_ids):
        return _error(400, "reconcileIssues accepts at most 50 numeric issue ids.")
    cap = fake.max_page_size or (5000 if fields is None else 100)
    size = max(1, min(int(params.get("maxResults") or 50), cap))
    offset = 0
    if params.get("nextPageToken"):
        found = _offset(str(params["nextPageToken"]), jql)
        if found is None:
            return _error(400, "The provided next page token is invalid or expired.")
        offset = found
    changelog = "recent" if "changelog" in _as_list(expand) else "none"
    with fake.lock:
        hits = fake.matching(jql, frozenset(int(r) for r in reconcile_ids))
        page = hits[offset : offset + size]
        renderer = fake.renderer()
        issues = [
            renderer.cached_issue(
                i,
                api=3,
                fields=fields,
                changelog=changelog,
                changelog_limit=fake.embedded_changelog_limit,
                comment_limit=fake.embedded_comment_limit,
            )
            for i in page
        ]
        result: dict[str, Any] = {"issues": issues, "isLast": offset + len(page) >= len(hits)}
        if not result["isLast"]:
            result["nextPageToken"] = _token(offset + len(page), jql)
        fake.page_served()
    return _page(result)


def _dc_search(fake: FakeJira, params: dict[str, Any]) -> Reply:
    jql = str(params.get("jql") or "")
    start = int(params.get("startAt") or 0)
    window = fake.max_result_window
    if start >= window:
        return _error(
            400,
            f"Search limit exceeded: results beyond {window} cannot be paged "
            "(index.max_result_window). Narrow the query, e.g. by date ranges.",
        )
    size = max(
        0, min(int(params.get("maxResults", 50)), fake.max_page_size or 1000, window - start)
    )
    fields = resolve_fields(_as_list(params.get("fields")), "*navigable", fake.field_names)
    changelog = "all" if "changelog" in _as_list(params.get("expand")) else "none"
    with fake.lock:
        hits = fake.matching(jql)
        renderer = fake.renderer()
        issues = [
            renderer.cached_issue(i, api=2, fields=fields, changelog=changelog)
            for i in hits[start : start + size]
        ]
        result = {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(hits),
            "issues": issues,
        }
        if size:
            fake.page_served()
    return _page(result)


def _issue_resource(
    fake: FakeJira, method: str, api: int, key: str, sub: str | None, params: dict[str, Any]
) -> Reply:
    with fake.lock:
        issue = fake._find(key)
        if issue is None:
            return _error(404, NO_ISSUE)
        renderer = fake.renderer()
        cloud = fake.flavor == "cloud"
        if sub is None and method == "GET":
            expand = _as_list(params.get("expand"))
            changelog = ("recent" if cloud else "all") if "changelog" in expand else "none"
            fields = resolve_fields(_as_list(params.get("fields")), "*all", fake.field_names)
            return _reply(
                200,
                renderer.cached_issue(
                    issue,
                    api=api,
                    fields=fields or frozenset(),
                    changelog=changelog,
                    changelog_limit=fake.embedded_changelog_limit,
                ),
            )
        if sub is None and method == "PUT":
            return _edit(fake, issue.key, params)
        if sub == "changelog" and method == "GET" and cloud:
            start = int(params.get("startAt") or 0)
            size = max(1, min(int(params.get("maxResults") or 100), 100))
            values = issue.histories[start : start + size]
            return _reply(
                200,
                {
                    "self": f"{fake.url}/rest/api/{api}/issue/{key}/changelog?startAt={start}",
                    "maxResults": size,
                    "startAt": start,
                    "total": len(issue.histories),
                    "isLast": start + len(values) >= len(issue.histories),
                    "values": [renderer.history(h, api) for h in values],
                },
            )
        if sub == "comment" and method == "GET":
            start = int(params.get("startAt") or 0)
            size = max(1, min(int(params.get("maxResults") or 5000), 5000))
            page = issue.comments[start : start + size]
            return _reply(
                200,
                {
                    "startAt": start,
                    "maxResults": size,
                    "total": len(issue.comments),
                    "comments": [renderer.comment(issue, c, api) for c in page],
                },
            )
        if sub == "comment" and method == "POST":
            body = params.get("body")
            invalid = _invalid_comment_body(body, api)
            if invalid is not None:
                return invalid
            comment = fake.add_comment(issue.key, body, author=BOT_NAME)
            return _reply(201, renderer.comment(issue, comment, api))
    return _error(405, f"Method {method} is not allowed for this resource.")


def _invalid_comment_body(body: Any, api: int) -> Reply | None:
    if api == 3 and not (
        isinstance(body, dict)
        and body.get("type") == "doc"
        and body.get("version") == 1
        and isinstance(body.get("content"), list)
    ):
        return _error(400, comment="Comment body is not valid!")
    if api == 2 and not isinstance(body, str):
        return _error(400, comment="Comment body is not valid!")
    if not body or (isinstance(body, dict) and not body["content"]):
        return _error(400, comment="Comment body can not be empty!")
    return None


def _comment_resource(
    fake: FakeJira, method: str, api: int, key: str, comment_id: int, params: dict[str, Any]
) -> Reply:
    """GET or PUT one comment; like Jira, only its author (the fake's API user) may edit it."""
    with fake.lock:
        issue = fake._find(key)
        if issue is None:
            return _error(404, NO_ISSUE)
        comment = next((c for c in issue.comments if c.id == comment_id), None)
        if comment is None:
            return _error(404, f"Can not find a comment for the id: {comment_id}.")
        renderer = fake.renderer()
        if method == "GET":
            return _reply(200, renderer.comment(issue, comment, api))
        if method != "PUT":
            return _error(405, f"Method {method} is not allowed for this resource.")
        if comment.author not in BOT:
            return _error(403, "You do not have the permission to edit this comment.")
        body = params.get("body")
        invalid = _invalid_comment_body(body, api)
        if invalid is not None:
            return invalid
        edited = fake.edit_comment(issue.key, comment_id, body)
        assert edited is not None
        return _reply(200, renderer.comment(issue, edited, api))


def _edit(fake: FakeJira, key: str, params: dict[str, Any]) -> Reply:
    issue = fake.get(key)
    labels = list(issue.labels)
    update = params.get("update") or {}
    fields = params.get("fields") or {}
    unknown = sorted({*update, *fields} - {"labels"})
    if unknown:
        return _error(
            400,
            **{
                name: f"Field '{name}' cannot be set. It is not on the appropriate "
                "screen, or unknown."
                for name in unknown
            },
        )
    if "labels" in fields:
        labels = list(fields["labels"])
    for operation in update.get("labels") or []:
        for verb, value in operation.items():
            if verb == "add" and value not in labels:
                labels.append(value)
            elif verb == "remove" and value in labels:
                labels.remove(value)
            elif verb == "set":
                labels = list(value)
    for label in labels:
        if not isinstance(label, str) or not label or any(ch.isspace() for ch in label):
            return _error(400, labels=f"The label '{label}' contains spaces which is invalid.")
    if labels != issue.labels:
        fake.update_issue(key, labels=labels, author=BOT_NAME)
    return _reply(204)
