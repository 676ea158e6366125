"""A real HTTP fake of Confluence Cloud's v2 pages API, for the client and publishing tests.

    with FakeConfluence(spaces={"OPS": "65537"}) as fake:
        client = ConfluenceClient(ConfluenceSettings(**fake.settings_kwargs()))

Pages live in memory per space with their versions. Like Confluence it refuses a second
page with a title already used in the space (400), a PUT whose version is not current + 1
(409) and a body that is not well-formed storage XML (400). Faults (``rate_limit_next``,
``fail_next``) come from the Jira fake's queue; ``conflict_next`` makes "someone else" save
the page just before the next PUT. Requests are recorded without their Authorization value.
"""

from __future__ import annotations

import base64
import itertools
import re
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import orjson

from fakes.jira_faults import FaultInjection, fault_reply
from fakes.jira_routes import Reply
from fakes.local_server import LocalServer, QuietServer

API = "/wiki/api/v2"
STORAGE_ROOT = '<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">'
_MAX_BODY = 5 * 1024 * 1024


def well_formed(storage: str) -> str | None:
    """None if the storage body parses as XML inside a root declaring ac/ri, else the error."""
    # Storage may use the HTML entity names Confluence knows only through its own DTD; the
    # pages we write use XML's five entities and numeric references, so plain XML suffices.
    try:
        ET.fromstring(f"{STORAGE_ROOT}{storage}</root>")
    except ET.ParseError as exc:
        return str(exc)
    return None


@dataclass
class StoredPage:
    id: str
    space_id: str
    title: str
    body: str
    parent_id: str | None
    version: int = 1
    message: str = ""
    history: list[str] = field(default_factory=list)  # bodies of earlier versions


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names; Authorization removed
    body: Any
    auth_scheme: str | None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    disable_nagle_algorithm = True
    server: QuietServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.fake._handle(self, "GET")

    def do_POST(self) -> None:
        self.server.fake._handle(self, "POST")

    def do_PUT(self) -> None:
        self.server.fake._handle(self, "PUT")


def _error(status: int, title: str) -> Reply:
    return Reply(status, {"errors": [{"status": status, "code": "ERROR", "title": title}]})


class FakeConfluence(FaultInjection, LocalServer):
    handler_class = _Handler

    def __init__(
        self,
        spaces: dict[str, str] | None = None,
        *,
        email: str = "publisher@example.com",
        api_token: str = "fake-confluence-token-0123456789",
    ) -> None:
        FaultInjection.__init__(self)
        self.lock = threading.RLock()
        self.spaces = dict(spaces or {"OPS": "65537"})
        self.email, self.api_token = email, api_token
        self.pages: dict[str, StoredPage] = {}
        self.requests: list[RecordedRequest] = []
        self.counters: Counter[str] = Counter()
        self.errors: list[str] = []
        self._ids = itertools.count(98001)
        self._conflicts = 0

    def settings_kwargs(self) -> dict[str, Any]:
        return {"url": f"{self.url}/wiki", "email": self.email, "api_token": self.api_token}

    def conflict_next(self, n: int = 1) -> None:
        """Before each of the next `n` PUTs, another user saves the page (version + 1)."""
        with self.lock:
            self._conflicts += n

    def add_page(self, space_key: str, title: str, body: str, *, version: int = 1) -> StoredPage:
        with self.lock:
            page = StoredPage(
                str(next(self._ids)), self.spaces[space_key], title, body, None, version
            )
            self.pages[page.id] = page
            return page

    def pages_titled(self, title: str) -> list[StoredPage]:
        return [p for p in self.pages.values() if p.title.casefold() == title.strip().casefold()]

    def requests_to(self, path_part: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if path_part in r.path and method in (None, r.method)]

    def _handle(self, handler: _Handler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        authorization = handler.headers.get("Authorization", "")
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = raw.decode(errors="replace")
        headers = {k.lower(): v for k, v in handler.headers.items() if k.lower() != "authorization"}
        with self.lock:
            self.counters["requests"] += 1
            self.requests.append(
                RecordedRequest(
                    method, parts.path, query, headers, body, authorization.split(" ", 1)[0] or None
                )
            )
        fault = self.next_fault(parts.path)
        if fault is not None and fault.kind in ("fail", "rate_limit"):
            self.counters[fault.kind] += 1
            self._send(handler, fault_reply(fault))
            return
        try:
            if not self._authorized(authorization):
                reply = _error(401, "Unauthorized; scope does not match")
            elif len(raw) > _MAX_BODY:
                reply = _error(413, "Request too large")
            else:
                with self.lock:
                    reply = self._route(method, parts.path, query, body)
        except Exception as exc:  # a fake bug must show up as a 500 and in `errors`
            self.errors.append(f"{method} {parts.path}: {type(exc).__name__}: {exc}")
            reply = _error(500, f"fake error: {exc}")
        self._send(handler, reply)

    def _authorized(self, authorization: str) -> bool:
        scheme, _, value = authorization.partition(" ")
        expected = base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode()
        return scheme == "Basic" and value == expected

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Reply:
        one = {k: v[0] for k, v in query.items()}
        if method == "GET" and path == f"{API}/spaces":
            keys = set(one.get("keys", "").split(","))
            results = [
                {"id": sid, "key": key, "name": key}
                for key, sid in self.spaces.items()
                if key in keys
            ]
            return Reply(200, {"results": results, "_links": {"base": f"{self.url}/wiki"}})
        match = re.fullmatch(rf"{API}/spaces/(\d+)/pages", path)
        if method == "GET" and (path == f"{API}/pages" or match):
            space_ids = {match.group(1)} if match else set(one.get("space-id", "").split(","))
            return self._list(space_ids, one)
        if method == "POST" and path == f"{API}/pages":
            return self._create(body)
        if method == "GET" and path == "/wiki/rest/api/content/search":
            return self._search(one.get("cql", ""))
        match = re.fullmatch(rf"{API}/pages/(\d+)", path)
        if match and match.group(1) in self.pages:
            page = self.pages[match.group(1)]
            if method == "GET":
                return Reply(200, self._render(page, one.get("body-format") == "storage"))
            if method == "PUT":
                return self._update(page, body)
        return _error(404, "Not found")

    def _render(self, page: StoredPage, with_body: bool, base: bool = True) -> dict[str, Any]:
        space_key = next(k for k, v in self.spaces.items() if v == page.space_id)
        data: dict[str, Any] = {
            "id": page.id,
            "status": "current",
            "title": page.title,
            "spaceId": page.space_id,
            "parentId": page.parent_id,
            "version": {"number": page.version, "message": page.message, "minorEdit": False},
            "_links": {"webui": f"/spaces/{space_key}/pages/{page.id}/{quote_plus(page.title)}"},
        }
        if base:
            data["_links"]["base"] = f"{self.url}/wiki"
        if with_body:
            data["body"] = {"storage": {"representation": "storage", "value": page.body}}
        return data

    def _list(self, space_ids: set[str], query: dict[str, str]) -> Reply:
        title = query.get("title")
        results = [
            self._render(p, query.get("body-format") == "storage", base=False)
            for p in self.pages.values()
            if p.space_id in space_ids and (title is None or p.title == title)
        ]
        return Reply(200, {"results": results, "_links": {"base": f"{self.url}/wiki"}})

    def _search(self, cql: str) -> Reply:
        """v1 CQL search, the one form the client sends: a space, pages, `title ~` (a text
        search in Confluence: here, the phrase anywhere in the title, whatever its case)."""
        quoted = r'"((?:[^"\\]|\\.)*)"'
        match = re.fullmatch(rf"space = {quoted} and type = page and title ~ {quoted}", cql)
        if match is None:
            return _error(400, f"CQL this fake does not understand: {cql}")
        space_key, phrase = (re.sub(r"\\(.)", r"\1", g) for g in match.groups())
        space_id = self.spaces.get(space_key)
        results = [
            {"id": p.id, "type": "page", "status": "current", "title": p.title}
            for p in self.pages.values()
            if p.space_id == space_id and phrase.casefold() in p.title.casefold()
        ]
        return Reply(200, {"results": results, "size": len(results), "start": 0})

    def _check_body(self, body: Any) -> Reply | str:
        if not isinstance(body, dict) or not isinstance(body.get("body"), dict):
            return _error(400, "body is required")
        content = body["body"]
        if content.get("representation") != "storage" or not isinstance(content.get("value"), str):
            return _error(400, "only storage representation is supported here")
        problem = well_formed(content["value"])
        if problem:
            return _error(400, f"Error parsing xhtml: {problem}")
        return str(content["value"])

    def _create(self, body: Any) -> Reply:
        checked = self._check_body(body)
        if isinstance(checked, Reply):
            return checked
        space_id, title = str(body.get("spaceId", "")), str(body.get("title") or "").strip()
        if space_id not in self.spaces.values():
            return _error(404, "Space not found")
        if body.get("status") != "current" or not title:
            return _error(400, "a published page needs status current and a title")
        if any(
            p.space_id == space_id and p.title.casefold() == title.casefold()
            for p in self.pages.values()
        ):
            return _error(
                400,
                "A page with this title already exists: A page already exists with the same TITLE in this space",
            )
        page = StoredPage(str(next(self._ids)), space_id, title, checked, body.get("parentId"))
        self.pages[page.id] = page
        self.counters["created"] += 1
        return Reply(200, self._render(page, True))

    def _update(self, page: StoredPage, body: Any) -> Reply:
        if self._conflicts:
            self._conflicts -= 1
            page.history.append(page.body)
            page.version += 1
            page.message = "edited by someone else"
        checked = self._check_body(body)
        if isinstance(checked, Reply):
            return checked
        if not all(key in body for key in ("id", "status", "title", "version")):
            return _error(400, "id, status, title, body and version are required")
        number = (body.get("version") or {}).get("number")
        if number != page.version + 1:
            self.counters["conflicts"] += 1
            return _error(
                409,
                "Version must be incremented when updating a page. "
                f"Current Version: [{page.version}]. Provided version: [{number}]",
            )
        page.history.append(page.body)
        page.body, page.version = checked, page.version + 1
        page.title = str(body["title"]).strip()
        page.message = str((body.get("version") or {}).get("message") or "")
        self.counters["updated"] += 1
        return Reply(200, self._render(page, True))

    def _send(self, handler: _Handler, reply: Reply) -> None:
        payload = orjson.dumps(reply.body) if reply.body is not None else b""
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json;charset=UTF-8")
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
