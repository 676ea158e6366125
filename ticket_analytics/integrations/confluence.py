"""Confluence Cloud REST v2 client: find a page by title in a space, create it, update it in place.

Transport, auth and retries are the shared ones in ``integrations.http``. Titles are unique
per space, so the title is the page's identity: ``publish_page`` finds it, creates it only
when it is absent, and otherwise writes a new version of the same page.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from ticket_analytics.integrations.http import (
    HttpTransport,
    RetryPolicy,
    ServiceError,
    TransportClient,
    mask,
)

__all__ = [
    "ConfluenceClient",
    "ConfluenceError",
    "ConfluencePage",
    "ConfluenceSettings",
    "PublishedPage",
    "publish_page",
]

log = logging.getLogger(__name__)

_API = "/wiki/api/v2"
# Confluence keeps this much of a version message; ours carries the body's fingerprint.
_MESSAGE_MAX = 250


class ConfluenceError(ServiceError):
    """A Confluence call that failed for good. Names method, path and status, never credentials."""

    def __init__(self, method: str, path: str, status: int | None, detail: str) -> None:
        super().__init__("Confluence", method, path, status, detail)


@dataclass(frozen=True)
class ConfluenceSettings:
    url: str  # https://<site>.atlassian.net (a trailing /wiki is accepted)
    email: str
    api_token: str
    timeout_s: float = 30.0
    max_retries: int = 6
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    retry_after_max_s: float = 600.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("Confluence url must be an absolute http(s) URL")
        if parts.username or parts.password:
            raise ValueError("put Confluence credentials in email/api_token, not in the url")
        if not self.email or not self.api_token:
            raise ValueError("Confluence needs an email and an API token")
        _ = self.policy

    @property
    def site(self) -> str:
        """The site root; the API lives under /wiki/api/v2 below it."""
        url = self.url.rstrip("/")
        return url.removesuffix("/wiki")

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy.of(self)

    def __repr__(self) -> str:
        return (
            f"ConfluenceSettings(url={self.url!r}, email={mask(self.email)}, "
            f"api_token={mask(self.api_token)}, timeout_s={self.timeout_s}, "
            f"max_retries={self.max_retries})"
        )

    __str__ = __repr__


@dataclass(frozen=True)
class ConfluencePage:
    id: str
    title: str
    version: int
    url: str
    space_id: str = ""
    body: str | None = None  # storage value, when it was asked for
    version_message: str = ""


@dataclass(frozen=True)
class PublishedPage:
    id: str
    title: str
    version: int
    url: str
    created: bool
    unchanged: bool


def _cql_quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _same_title(a: str, b: str) -> bool:
    # Confluence trims titles and treats them case-insensitively when it checks uniqueness.
    return a.strip().casefold() == b.strip().casefold()


class ConfluenceClient(TransportClient):
    """Synchronous Confluence Cloud v2 client on the shared transport; no Dagster."""

    def __init__(
        self,
        settings: ConfluenceSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._settings = settings
        self._space_ids: dict[str, str] = {}
        self._http = HttpTransport(
            "Confluence",
            settings.site,
            policy=settings.policy,
            auth=httpx.BasicAuth(settings.email, settings.api_token),
            auth_hint="check CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN",
            error=ConfluenceError,
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"ConfluenceClient(url={self._settings.site!r})"

    def _page(self, data: dict[str, Any], base: str | None = None) -> ConfluencePage:
        links = data.get("_links") or {}
        base_url = str(links.get("base") or base or f"{self._settings.site}/wiki")
        webui = str(links.get("webui") or f"/pages/viewpage.action?pageId={data['id']}")
        version = data.get("version") or {}
        storage = (data.get("body") or {}).get("storage")
        return ConfluencePage(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            version=int(version.get("number") or 1),
            url=base_url.rstrip("/") + webui,
            space_id=str(data.get("spaceId") or ""),
            body=str(storage["value"])
            if isinstance(storage, dict) and "value" in storage
            else None,
            version_message=str(version.get("message") or ""),
        )

    def space_id(self, space_key: str) -> str:
        if space_key not in self._space_ids:
            found = self._http.json("GET", f"{_API}/spaces", params={"keys": space_key})
            results = [s for s in (found or {}).get("results") or [] if s.get("key") == space_key]
            if not results:
                raise ConfluenceError(
                    "GET",
                    f"{_API}/spaces",
                    200,
                    f"no space with key {space_key!r} is visible to this user",
                )
            self._space_ids[space_key] = str(results[0]["id"])
        return self._space_ids[space_key]

    def find_page(self, space_key: str, title: str) -> ConfluencePage | None:
        """The current page with this title in the space (with its storage body), or None."""
        params: dict[str, Any] = {
            "space-id": self.space_id(space_key),
            "title": title.strip(),
            "status": "current",
            "body-format": "storage",
            "limit": 25,
        }
        found = self._http.json("GET", f"{_API}/pages", params=params) or {}
        base = (found.get("_links") or {}).get("base")
        matches = [
            r for r in found.get("results") or [] if _same_title(str(r.get("title", "")), title)
        ]
        exact = [r for r in matches if str(r.get("title", "")).strip() == title.strip()]
        chosen = (exact or matches)[:1]
        return self._page(chosen[0], base) if chosen else None

    def find_page_any_case(self, space_key: str, title: str) -> ConfluencePage | None:
        """The page whose title differs from `title` only in case, or None.

        Confluence keeps titles unique without regard to case, but the v2 title filter is
        exact; CQL's `title ~` is a text search, so the comparison is ours."""
        cql = (
            f'space = "{_cql_quoted(space_key)}" and type = page '
            f'and title ~ "{_cql_quoted(title.strip())}"'
        )
        found = self._http.json(
            "GET", "/wiki/rest/api/content/search", params={"cql": cql, "limit": 50}
        )
        for result in (found or {}).get("results") or []:
            if _same_title(str(result.get("title", "")), title):
                return self.get_page(str(result["id"]))
        return None

    def get_page(self, page_id: str) -> ConfluencePage:
        data = self._http.json("GET", f"{_API}/pages/{page_id}", params={"body-format": "storage"})
        return self._page(data)

    def create_page(
        self, space_key: str, title: str, body: str, *, parent_id: str | None = None
    ) -> ConfluencePage | None:
        """Create the page; None when Confluence says the title is already taken in the space.

        Not retried after an ambiguous failure (a 500 may have created it): the next publish
        finds the page by title instead of making a second one.
        """
        payload: dict[str, Any] = {
            "spaceId": self.space_id(space_key),
            "status": "current",
            "title": title.strip(),
            "body": {"representation": "storage", "value": body},
        }
        if parent_id:
            payload["parentId"] = str(parent_id)
        response = self._http.request(
            "POST",
            f"{_API}/pages",
            body=payload,
            idempotent=False,
            accept=lambda r: r.status_code == 400 and b"already exists" in r.content,
        )
        if response.status_code == 400:
            return None
        return self._page(response.json())

    def update_page(
        self, page: ConfluencePage, body: str, *, title: str | None = None, message: str = ""
    ) -> ConfluencePage | None:
        """Write ``body`` as version ``page.version + 1``; None on a version conflict (409).

        A PUT names its version, so repeating one is harmless: a retry after a lost answer
        gets a 409, which the caller resolves by re-reading.
        """
        payload = {
            "id": page.id,
            "status": "current",
            "title": (title or page.title).strip(),
            "body": {"representation": "storage", "value": body},
            "version": {"number": page.version + 1, "message": message[:_MESSAGE_MAX]},
        }
        response = self._http.request(
            "PUT", f"{_API}/pages/{page.id}", body=payload, accept=lambda r: r.status_code == 409
        )
        if response.status_code == 409:
            return None
        return self._page(response.json())


def _marker(fingerprint: str) -> str:
    return f"ticket-analytics sha256:{fingerprint}"


def _unchanged(page: ConfluencePage, body: str, fingerprint: str) -> bool:
    # Confluence may normalise the stored XHTML, so our own fingerprint in the version
    # message is the more reliable sign that this body is already there.
    return page.body == body or _marker(fingerprint) in page.version_message


def publish_page(
    client: ConfluenceClient,
    space_key: str,
    title: str,
    body: str,
    parent_id: str | None = None,
) -> PublishedPage:
    """Create the page or update it in place; never a second page with the same title.

    Each version we write carries the body's sha256 in its version message, so a re-run
    recognises its own body even if Confluence normalised the stored XHTML.

    An identical body is left alone (``unchanged=True``, no new version). A version conflict
    (someone saved in between) is resolved by re-reading the page and trying once more.
    """
    fingerprint = hashlib.sha256(body.encode("utf-8")).hexdigest()
    message = _marker(fingerprint)
    page = client.find_page(space_key, title)
    if page is None:
        created = client.create_page(space_key, title, body, parent_id=parent_id)
        if created is not None:
            return PublishedPage(
                created.id, created.title, created.version, created.url, True, False
            )
        # someone else created it just now, or it exists under another case
        page = client.find_page(space_key, title) or client.find_page_any_case(space_key, title)
        if page is None:
            raise ConfluenceError(
                "POST", f"{_API}/pages", 400, f"title {title!r} is taken but not found"
            )
    if _unchanged(page, body, fingerprint):
        return PublishedPage(page.id, page.title, page.version, page.url, False, True)
    updated = client.update_page(page, body, title=title, message=message)
    if updated is None:
        log.warning("Confluence page %s changed while we updated it; re-reading once", page.id)
        page = client.get_page(page.id)
        if _unchanged(page, body, fingerprint):
            return PublishedPage(page.id, page.title, page.version, page.url, False, True)
        updated = client.update_page(page, body, title=title, message=message)
    if updated is None:
        raise ConfluenceError(
            "PUT",
            f"{_API}/pages/{page.id}",
            409,
            "version conflict again after re-reading the page",
        )
    return PublishedPage(updated.id, updated.title, updated.version, updated.url, False, False)
