"""A real HTTP fake of Datadog's metrics intake: ``POST /api/v2/series``.

    with FakeDatadog() as fake:
        DatadogSettings(api_key=fake.api_key, api_url=fake.url)

It checks what the intake checks: the ``DD-API-KEY`` header (403 otherwise), the body size
(413 over 512,000 bytes), JSON with a ``series`` list whose entries have a metric, a known
type and points (400 with Datadog's ``errors`` otherwise), and answers 202
``{"errors": []}``. Points with the same metric, tags and timestamp replace each other, as in
Datadog, so a re-sent window changes nothing. Faults (``rate_limit_next``: 429 with
Retry-After, ``fail_next``: 5xx) come from the Jira fake's queue. Requests are recorded
without the key.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

import orjson

from fakes.jira_faults import FaultInjection, fault_reply
from fakes.local_server import LocalServer, QuietServer

SERIES_PATH = "/api/v2/series"
MAX_BODY_BYTES = 512_000

PointKey = tuple[str, tuple[str, ...], int]


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]  # lower-case names; DD-API-KEY removed
    size: int
    body: Any


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server: QuietServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.fake._handle(self)


def series_problems(body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("series"), list):
        return ["series: required list"]
    problems = []
    for i, series in enumerate(body["series"]):
        if not isinstance(series, dict) or not series.get("metric"):
            problems.append(f"series[{i}].metric: required")
            continue
        if series.get("type", 0) not in (0, 1, 2, 3):
            problems.append(f"series[{i}].type: invalid")
        points = series.get("points")
        if not isinstance(points, list) or not points:
            problems.append(f"series[{i}].points: required")
        elif any(not isinstance(p.get("timestamp"), int) for p in points):
            problems.append(f"series[{i}].points: timestamp must be an integer")
    return problems


class FakeDatadog(FaultInjection, LocalServer):
    handler_class = _Handler

    def __init__(self, *, api_key: str = "dd-fake-0000-s3cr3tK3y") -> None:
        FaultInjection.__init__(self)
        self.lock = threading.RLock()
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.points: dict[PointKey, float] = {}
        self.counters: Counter[str] = Counter()

    def _handle(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = urlsplit(handler.path).path
        key = handler.headers.get("DD-API-KEY", "")
        headers = {k.lower(): v for k, v in handler.headers.items() if k.lower() != "dd-api-key"}
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = None
        with self.lock:
            self.counters["requests"] += 1
            self.requests.append(RecordedRequest(path, headers, len(raw), body))
        fault = self.next_fault(path)
        if fault is not None and fault.kind in ("fail", "rate_limit"):
            self.counters[fault.kind] += 1
            reply = fault_reply(fault)
            content = reply.raw if reply.raw is not None else orjson.dumps(reply.body)
            self._send(handler, reply.status, content, reply.headers)
        elif path != SERIES_PATH:
            self._send(handler, 404, orjson.dumps({"errors": ["Not found"]}))
        elif key != self.api_key:
            self._send(handler, 403, orjson.dumps({"errors": ["Forbidden"]}))
        elif len(raw) > MAX_BODY_BYTES:
            self._send(handler, 413, orjson.dumps({"errors": ["Payload too large"]}))
        elif problems := series_problems(body):
            self._send(handler, 400, orjson.dumps({"errors": problems}))
        else:
            self._accept(body)
            self._send(handler, 202, orjson.dumps({"errors": []}))

    def _accept(self, body: Any) -> None:
        with self.lock:
            for series in body["series"]:
                tags = tuple(sorted(series.get("tags") or []))
                for point in series["points"]:
                    self.points[(series["metric"], tags, point["timestamp"])] = point["value"]

    def _send(
        self,
        handler: _Handler,
        status: int,
        content: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(content)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
