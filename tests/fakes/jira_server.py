"""A real HTTP fake of Jira Cloud (v3) and Data Center (v2) for client and sync tests.

    with FakeJira(flavor="cloud", time_zone="Asia/Tokyo") as fake:
        fake.make_issues(250, start=datetime(2025, 11, 1, tzinfo=UTC))
        settings = JiraSettings(**fake.settings_kwargs())

``weight="jira"`` makes every issue as heavy as real Jira's for ``fields=*all`` (every system
field, custom fields, ADF bodies, user objects with avatars, Jira's spread of histories and
comments; ``jira_heavy``, ``jira_render_heavy``) and embeds at most 20 comments in Cloud
search results; the default stays light, so tests stay fast.

The issues live in ``jira_store`` and the endpoints in ``jira_routes``. Faults
(``fail_next``, ``fail_after_next``, ``rate_limit_next``, ``drop_next``, ``slow_next``,
``limit_issue_writes``, seeded ``chaos``; see ``jira_faults``) are consumed in order by the next matching requests. Every request is
recorded without its Authorization value (``requests``); ``counters`` counts requests,
faults and search pages.
"""

from __future__ import annotations

import base64
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from fakes import jira_routes
from fakes.jira_data import ALL_FIELDS
from fakes.jira_faults import FaultInjection, fault_reply
from fakes.jira_heavy_values import as_fragment
from fakes.jira_jql import JqlError
from fakes.jira_render import Renderer
from fakes.jira_render_heavy import HEAVY_FIELDS, HeavyRenderer
from fakes.jira_routes import Reply
from fakes.jira_store import IssueStore
from fakes.local_server import LocalServer, QuietServer

FLAVORS = ("cloud", "datacenter")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names; Authorization removed
    body: Any
    auth_scheme: str | None  # "Basic" / "Bearer" / None: the scheme only, never the value


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms a response), which made every test crawl.
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

    def do_DELETE(self) -> None:
        self.server.fake._handle(self, "DELETE")


class FakeJira(FaultInjection, IssueStore, LocalServer):
    """In-memory Jira behind a real socket on 127.0.0.1; thread-safe, deterministic per seed."""

    handler_class = _Handler

    def __init__(
        self,
        flavor: str = "cloud",
        *,
        email: str = "bot@example.com",
        api_token: str = "fake-api-token-0123456789",
        pat: str = "fake-pat-9876543210",
        time_zone: str = "UTC",
        max_page_size: int | None = None,
        embedded_changelog_limit: int = 20,
        embedded_comment_limit: int | None = None,
        weight: str = "light",
        search_lag_seconds: float = 0.0,
        max_result_window: int = 10_000,
        seed: int = 0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {FLAVORS}")
        FaultInjection.__init__(self)
        IssueStore.__init__(
            self,
            time_zone=time_zone,
            search_lag_seconds=search_lag_seconds,
            seed=seed,
            clock=clock,
            weight=weight,
        )
        self.flavor = flavor
        self.email, self.api_token, self.pat = email, api_token, pat
        self.max_page_size = max_page_size
        self.embedded_changelog_limit = embedded_changelog_limit
        # None: every comment, or 20 (what Cloud search embeds) when the fake is heavy.
        self.embedded_comment_limit = embedded_comment_limit or (20 if weight == "jira" else None)
        self.field_names = HEAVY_FIELDS if weight == "jira" else ALL_FIELDS
        self._renderer: tuple[tuple[str, str], Renderer] | None = None
        self.max_result_window = max_result_window
        self.requests: list[RecordedRequest] = []
        self.counters: Counter[str] = Counter()
        self.errors: list[str] = []  # unexpected exceptions inside handlers
        self._page_hook: Callable[[int], None] | None = None

    def settings_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``JiraSettings`` with this fake's URL, flavor and secrets."""
        if self.flavor == "cloud":
            return {
                "url": self.url,
                "flavor": "cloud",
                "email": self.email,
                "api_token": self.api_token,
            }
        return {"url": self.url, "flavor": "datacenter", "pat": self.pat}

    def renderer(self) -> Renderer:
        """One renderer per URL and zone: a heavy one keeps what it serialised once."""
        key = (self.url, self.time_zone)
        if self._renderer is None or self._renderer[0] != key:
            kind = HeavyRenderer if self.weight == "jira" else Renderer
            self._renderer = (key, kind(self.url, self.zone))
        return self._renderer[1]

    def on_page(self, callback: Callable[[int], None] | None) -> None:
        """Run ``callback(pages_served)`` after each search page is built, before it is sent."""
        self._page_hook = callback

    def requests_to(self, path_part: str, method: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if path_part in r.path and (method is None or r.method == method)
        ]

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
        with self.lock:
            self.counters["requests"] += 1
            self.requests.append(
                RecordedRequest(
                    method,
                    parts.path,
                    query,
                    {
                        k.lower(): v
                        for k, v in handler.headers.items()
                        if k.lower() != "authorization"
                    },
                    body,
                    authorization.split(" ", 1)[0] or None,
                )
            )
        fault = self.next_fault(parts.path, method)
        if fault is not None:
            self.counters[fault.kind] += 1
            if fault.kind == "drop":
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault.kind == "slow":
                time.sleep(fault.seconds)
            elif fault.kind != "fail_after":
                self._send(handler, fault_reply(fault))
                return
        try:
            if not self._authorized(authorization, parts.path):
                self.counters["unauthorized"] += 1
                reply = Reply(
                    401,
                    {
                        "errorMessages": ["Client must be authenticated to access this resource."],
                        "errors": {},
                    },
                )
            elif isinstance(body, str):
                reply = Reply(400, {"errorMessages": ["Unexpected character in request body"]})
            else:
                reply = jira_routes.route(self, method, parts.path, query, body)
        except JqlError as exc:
            reply = Reply(400, {"errorMessages": [str(exc)], "errors": {}})
        except Exception as exc:  # a fake bug must show up as a 500 and in `errors`, not hang
            self.errors.append(f"{method} {parts.path}: {type(exc).__name__}: {exc}")
            reply = Reply(500, {"errorMessages": [f"fake error: {exc}"]})
        if fault is not None and fault.kind == "fail_after":
            reply = fault_reply(fault)
        self._send(handler, reply)

    def _authorized(self, authorization: str, path: str) -> bool:
        if not authorization:
            return path.endswith("/serverInfo")  # like Jira, serverInfo answers anonymously
        scheme, _, value = authorization.partition(" ")
        if self.flavor == "cloud":
            expected = base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode()
            return scheme == "Basic" and value == expected
        return scheme == "Bearer" and value == self.pat

    def _send(self, handler: _Handler, reply: Reply) -> None:
        if reply.raw is not None:
            payload, content_type = reply.raw, reply.content_type
        elif reply.body is None:
            payload, content_type = b"", "application/json;charset=UTF-8"
        else:
            payload = orjson.dumps(reply.body, default=as_fragment)
            content_type = "application/json;charset=UTF-8"
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def page_served(self) -> None:
        self.counters["search_pages"] += 1
        if self._page_hook is not None:
            self._page_hook(self.counters["search_pages"])
