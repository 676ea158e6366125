"""Jira REST client for Cloud (v3 enhanced search) and Data Center (v2 offset search).

The paging strategies, endpoints and Jira's own state (flavour, profile zone); transport,
auth and retries are the shared ones in ``integrations.http``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import httpx
import orjson

from ticket_analytics.integrations.http import (
    BearerAuth,
    HttpTransport,
    RequestStats,
    RetryPolicy,
    ServiceError,
    TransportClient,
    mask,
)
from ticket_analytics.integrations.jira_paging import (
    DC_SEARCH,
    PagingError,
    SearchPage,
    split_order_by,
    walk_dc,
)
from ticket_analytics.integrations.json_views import json_loads
from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.jira.timestamps import parse_jira_timestamp

__all__ = [
    "FLAVORS",
    "JiraClient",
    "JiraError",
    "JiraSettings",
    "RequestStats",
    "SearchPage",
    "split_order_by",
]

log = logging.getLogger(__name__)

FLAVORS = ("cloud", "datacenter", "auto")
_MAX_RECONCILE = 50


class JiraError(ServiceError):
    """A Jira call that failed for good. Names method, path and status, never credentials."""

    def __init__(self, method: str, path: str, status: int | None, detail: str) -> None:
        super().__init__("Jira", method, path, status, detail)


@dataclass(frozen=True)
class JiraSettings:
    url: str
    flavor: str = "auto"
    email: str = ""
    api_token: str = ""
    pat: str = ""
    timeout_s: float = 30.0
    max_retries: int = 6
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    retry_after_max_s: float = 600.0

    def __post_init__(self) -> None:
        if self.flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {FLAVORS}, got {self.flavor!r}")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("Jira url must be an absolute http(s) URL")
        if parts.username or parts.password:
            # Checked without echoing the URL: it would carry the very secret being refused.
            raise ValueError("put Jira credentials in email/api_token/pat, not in the url")
        _ = self.policy  # the retry settings are checked now, not at the first call

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy.of(self)

    def __repr__(self) -> str:
        return (
            f"JiraSettings(url={self.url!r}, flavor={self.flavor!r}, email={mask(self.email)}, "
            f"api_token={mask(self.api_token)}, pat={mask(self.pat)}, "
            f"timeout_s={self.timeout_s}, max_retries={self.max_retries}, "
            f"backoff_base_s={self.backoff_base_s}, backoff_max_s={self.backoff_max_s}, "
            f"retry_after_max_s={self.retry_after_max_s})"
        )

    __str__ = __repr__


def _text_to_adf(text: str) -> dict[str, Any]:
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()) if text.strip() else []:
        content: list[dict[str, Any]] = []
        for i, line in enumerate(block.split("\n")):
            if i:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


class JiraClient(TransportClient):
    """Synchronous Jira client on the shared transport; no Dagster."""

    def __init__(
        self,
        settings: JiraSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._settings = settings
        self._flavor: str | None = None if settings.flavor == "auto" else settings.flavor
        self._time_zone: str | None = None
        self._http = HttpTransport(
            "Jira",
            settings.url,
            policy=settings.policy,
            auth_hint="check email + API token or PAT",
            error=JiraError,
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"JiraClient(url={self._settings.url!r}, flavor={self._flavor or 'auto'!r})"

    @property
    def flavor(self) -> str:
        if self._flavor is None:
            info = self._send("GET", "/rest/api/2/serverInfo")
            deployment = str(info.get("deploymentType", ""))
            self._flavor = "cloud" if deployment.lower() == "cloud" else "datacenter"
        return self._flavor

    def _auth(self) -> httpx.Auth | None:
        s = self._settings
        basic = httpx.BasicAuth(s.email, s.api_token) if s.email and s.api_token else None
        bearer = BearerAuth(s.pat) if s.pat else None
        # Cloud and not-yet-detected prefer basic; Data Center PATs only work as bearer.
        if self._flavor == "datacenter":
            return bearer or basic
        return basic or bearer

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        idempotent: bool = True,
        loads: Callable[[bytes], Any] = orjson.loads,
    ) -> Any:
        return self._http.json(
            method,
            path,
            params=params,
            body=body,
            idempotent=idempotent,
            auth=self._auth(),
            loads=loads,
        )

    def _api(self) -> str:
        return "/rest/api/3" if self.flavor == "cloud" else "/rest/api/2"

    def server_info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._send("GET", "/rest/api/2/serverInfo")
        return result

    def myself(self) -> dict[str, Any]:
        result: dict[str, Any] = self._send("GET", f"{self._api()}/myself")
        return result

    def profile_time_zone(self) -> str:
        """The searching user's zone: JQL date literals are read in it, not in UTC."""
        if self._time_zone is None:
            zone = str(self.myself().get("timeZone") or "UTC")
            try:
                ZoneInfo(zone)
            except (ValueError, OSError):
                log.warning("Jira profile time zone %r is unknown here; using UTC", zone)
                zone = "UTC"
            self._time_zone = zone
        return self._time_zone

    def search(
        self,
        jql: str,
        *,
        fields: Sequence[str],
        expand: str = "changelog",
        page_size: int = 100,
        reconcile_issue_ids: Sequence[int] = (),
        views: bool = False,
    ) -> Iterator[SearchPage]:
        """Yield every page of a JQL search, in order; reconcile ids are Cloud-only (max 50).

        With `views`, issues are simdjson's read-only views of the page instead of dicts: a
        full-payload page parses several times faster, and a loader copies nested members
        out as JSON text without ever building them as Python objects.
        """
        if len(reconcile_issue_ids) > _MAX_RECONCILE:
            raise ValueError(f"reconcile_issue_ids takes at most {_MAX_RECONCILE} ids")
        loads = json_loads(views)
        if self.flavor == "cloud":
            return self._search_cloud(
                jql, list(fields), expand, page_size, reconcile_issue_ids, loads
            )
        return self._search_dc(jql, list(fields), expand, page_size, loads)

    def _search_cloud(
        self,
        jql: str,
        fields: list[str],
        expand: str,
        page_size: int,
        reconcile: Sequence[int],
        loads: Callable[[bytes], Any],
    ) -> Iterator[SearchPage]:
        path = "/rest/api/3/search/jql"
        body: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": page_size}
        if expand:
            body["expand"] = expand
        if reconcile:
            body["reconcileIssues"] = [int(i) for i in reconcile]
        while True:
            page = self._send("POST", path, body=body, loads=loads)
            token = page.get("nextPageToken") or None
            is_last = bool(page.get("isLast")) or token is None
            self.stats.pages += 1
            yield SearchPage(list(page.get("issues") or []), token, is_last, None, None)
            del page  # a page can be megabytes: not kept while the next one downloads
            if is_last:
                return
            if token == body.get("nextPageToken"):
                raise JiraError("POST", path, 200, "server repeated the same nextPageToken")
            body["nextPageToken"] = token

    def _search_dc(
        self,
        jql: str,
        fields: list[str],
        expand: str,
        page_size: int,
        loads: Callable[[bytes], Any],
    ) -> Iterator[SearchPage]:
        def send(body: dict[str, Any]) -> dict[str, Any]:
            page: dict[str, Any] = self._send("POST", DC_SEARCH, body=body, loads=loads)
            return page

        pages = walk_dc(send, self.profile_time_zone, jql, fields, expand, page_size)
        try:
            for page in pages:
                self.stats.pages += 1
                yield page
                del page  # not kept while the next one downloads
        except PagingError as exc:
            raise JiraError("POST", DC_SEARCH, 200, str(exc)) from None

    def search_ids(self, jql: str) -> Iterator[str]:
        """Ids only: the cheap first pass Atlassian recommends before fetching details."""
        page_size = 5000 if self.flavor == "cloud" else 1000
        for page in self.search(jql, fields=["id"], expand="", page_size=page_size):
            for issue in page.issues:
                yield str(issue["id"])

    def count(self, jql: str) -> int:
        """Cloud: Atlassian's approximate count (an estimate). Data Center: exact ``total``."""
        if self.flavor == "cloud":
            result = self._send("POST", "/rest/api/3/search/approximate-count", body={"jql": jql})
            return int(result["count"])
        body = {"jql": jql, "startAt": 0, "maxResults": 0, "fields": ["id"]}
        return int(self._send("POST", "/rest/api/2/search", body=body)["total"])

    def issue_changelog(self, issue_key: str, *, views: bool = False) -> list[Any]:
        """Every history of an issue, oldest first (search embeds at most ~20 on Cloud);
        dicts, or simdjson's read-only views with `views` (as `search`)."""
        key = quote(issue_key, safe="")
        loads = json_loads(views)
        if self.flavor == "cloud":
            histories: list[Any] = []
            while True:
                params = {"startAt": len(histories), "maxResults": 100}
                page = self._send(
                    "GET", f"/rest/api/3/issue/{key}/changelog", params=params, loads=loads
                )
                values = list(page.get("values") or [])
                histories += values
                total = page.get("total")
                if (
                    not values
                    or page.get("isLast") is True
                    or (total is not None and len(histories) >= int(total))
                ):
                    return histories
        expand = {"expand": "changelog", "fields": "none"}
        issue = self._send("GET", f"/rest/api/2/issue/{key}", params=expand, loads=loads)
        changelog = issue.get("changelog") or {}
        histories = list(changelog.get("histories") or [])
        if int(changelog.get("total") or 0) > len(histories):
            log.warning(
                "Jira %s: changelog has %s histories, server returned %d",
                issue_key,
                changelog.get("total"),
                len(histories),
            )
        return sorted(histories, key=lambda h: (parse_jira_timestamp(h["created"]), int(h["id"])))

    def issue_comments(self, issue_key: str, *, views: bool = False) -> list[Any]:
        """Every comment of an issue, oldest first; dicts, or simdjson's views with `views`."""
        path = f"{self._api()}/issue/{quote(issue_key, safe='')}/comment"
        loads = json_loads(views)
        comments: list[Any] = []
        while True:
            params = {"startAt": len(comments), "maxResults": 100}
            page = self._send("GET", path, params=params, loads=loads)
            values = list(page.get("comments") or [])
            comments += values
            if not values or len(comments) >= int(page.get("total") or 0):
                return comments

    def add_comment(self, issue_key: str, body: str | dict[str, Any]) -> dict[str, Any]:
        """Post a comment: ADF on Cloud (plain text is wrapped), plain text on Data Center."""
        if self.flavor == "cloud":
            payload: Any = _text_to_adf(body) if isinstance(body, str) else body
        else:
            payload = body if isinstance(body, str) else adf_to_text(body)
        path = f"{self._api()}/issue/{quote(issue_key, safe='')}/comment"
        result: dict[str, Any] = self._send("POST", path, body={"body": payload}, idempotent=False)
        return result

    def edit_comment(
        self, issue_key: str, comment_id: str, body: str | dict[str, Any]
    ) -> dict[str, Any]:
        """Replace a comment's body (ADF on Cloud, text on Data Center). A PUT sets the whole
        body, so repeating it changes nothing: retried like a read."""
        if self.flavor == "cloud":
            payload: Any = _text_to_adf(body) if isinstance(body, str) else body
        else:
            payload = body if isinstance(body, str) else adf_to_text(body)
        issue = quote(issue_key, safe="")
        path = f"{self._api()}/issue/{issue}/comment/{quote(str(comment_id), safe='')}"
        result: dict[str, Any] = self._send("PUT", path, body={"body": payload})
        return result

    def add_labels(self, issue_key: str, labels: Sequence[str]) -> None:
        """Add labels (idempotent on Jira's side, so retried like a read)."""
        self._edit_labels(issue_key, "add", labels)

    def remove_labels(self, issue_key: str, labels: Sequence[str]) -> None:
        """Remove labels; one the issue does not have is ignored, so retried like a read."""
        self._edit_labels(issue_key, "remove", labels)

    def _edit_labels(self, issue_key: str, verb: str, labels: Sequence[str]) -> None:
        for label in labels:
            if not label or any(ch.isspace() for ch in label):
                raise ValueError(f"Jira labels cannot be empty or contain spaces: {label!r}")
        if not labels:
            return
        path = f"{self._api()}/issue/{quote(issue_key, safe='')}"
        self._send("PUT", path, body={"update": {"labels": [{verb: label} for label in labels]}})
