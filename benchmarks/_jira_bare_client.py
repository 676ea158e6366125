"""The limit a Jira sync is measured against: a bare client fetching and parsing what the
sync fetches, sequentially, and doing nothing else (see bench_jira_sync.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from _common import timed

from ticket_analytics.ingest import jira_sync

PAGE_SIZE = jira_sync.PAGE_SIZE  # the sync's, so both fetch the very same pages
SEARCH = "/rest/api/3/search/jql"
# What the sync asks for, so the bare client fetches the very same pages.
FIELDS = list(getattr(jira_sync, "FIELDS", ("*all",)))
EXPAND = "changelog"


def search_jql(scope: str) -> str:
    return f"({scope}) ORDER BY updated ASC, key ASC"  # as the sync's first pass searches


@dataclass
class Bare:
    issues: int = 0
    pages: int = 0
    extra_requests: int = 0
    changelog_fetches: int = 0
    comment_fetches: int = 0
    bytes: int = 0
    search_bytes: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0


def bare_client(settings: dict[str, Any], scope: str) -> Bare:
    """Fetch and parse what the sync fetches, sequentially, and nothing else."""
    out = Bare()
    auth = httpx.BasicAuth(settings["email"], settings["api_token"])
    body: dict[str, Any] = {
        "jql": search_jql(scope),
        "fields": FIELDS,
        "expand": EXPAND,
        "maxResults": PAGE_SIZE,
    }
    cpu = time.process_time()
    with httpx.Client(base_url=settings["url"], auth=auth, timeout=120) as http, timed() as wall:
        while True:
            reply = http.post(SEARCH, content=orjson.dumps(body), headers=_JSON)
            reply.raise_for_status()
            out.bytes += len(reply.content)
            out.search_bytes += len(reply.content)
            page = orjson.loads(reply.content)
            for issue in page["issues"]:
                _complete(http, issue, out)
            out.issues += len(page["issues"])
            out.pages += 1
            if page.get("isLast") or not page.get("nextPageToken"):
                break
            body["nextPageToken"] = page["nextPageToken"]
    out.wall_s, out.cpu_s = wall.seconds, time.process_time() - cpu
    return out


_JSON = {"Content-Type": "application/json"}


def _complete(http: httpx.Client, issue: dict[str, Any], out: Bare) -> None:
    changelog = issue.get("changelog") or {}
    if changelog.get("total", 0) > len(changelog.get("histories") or []):
        _page_all(http, f"/rest/api/3/issue/{issue['key']}/changelog", "values", out)
        out.changelog_fetches += 1
    comment = (issue.get("fields") or {}).get("comment") or {}
    if comment.get("total", 0) > len(comment.get("comments") or []):
        _page_all(http, f"/rest/api/3/issue/{issue['key']}/comment", "comments", out)
        out.comment_fetches += 1


def _page_all(http: httpx.Client, path: str, items: str, out: Bare) -> None:
    start = 0
    while True:
        reply = http.get(path, params={"startAt": start, "maxResults": 100})
        reply.raise_for_status()
        out.bytes += len(reply.content)
        out.extra_requests += 1
        page = orjson.loads(reply.content)
        start += len(page[items])
        if not page[items] or start >= page["total"]:
            return
