"""A real HTTP fake of Slack: one incoming webhook and the Web API's ``chat.postMessage``.

    with FakeSlack() as fake:
        SlackSettings(webhook_url=fake.webhook_url)            # or
        SlackSettings(bot_token=fake.bot_token, channel="#ops", api_url=fake.api_url)

It checks messages the way Slack does (``no_text``, ``invalid_blocks`` for a block over its
limits) and answers like Slack: the webhook with plain text ("ok", or the error with a 400),
the Web API with HTTP 200 and ``{"ok": false, "error": …}``. Faults (``rate_limit_next``:
429 with Retry-After, ``fail_next``) come from the Jira fake's queue. Accepted messages are
kept in ``messages``; requests are recorded without their Authorization value.
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

WEBHOOK_PATH = "/services/T0FAKE/B0FAKE/s3cr3tW3bh00kP4th"


def block_problems(message: Any) -> list[str]:
    """What Slack would refuse in a message, per its Block Kit limits."""
    if not isinstance(message, dict):
        return ["invalid_payload"]
    blocks = message.get("blocks") or []
    if not message.get("text") and not blocks:
        return ["no_text"]
    problems = []
    if not isinstance(blocks, list) or len(blocks) > 50:
        return ["invalid_blocks: no more than 50 items allowed [json-pointer:/blocks]"]
    for i, block in enumerate(blocks):
        where = f"[json-pointer:/blocks/{i}"
        kind = block.get("type")
        text = block.get("text") or {}
        if kind == "header":
            if text.get("type") != "plain_text":
                problems.append(f"invalid_blocks: must be plain_text {where}/text/type]")
            if not 0 < len(text.get("text", "")) <= 150:
                problems.append(
                    f"invalid_blocks: must be less than 151 characters {where}/text/text]"
                )
        elif kind == "section":
            if text and not 0 < len(text.get("text", "")) <= 3000:
                problems.append(
                    f"invalid_blocks: must be less than 3001 characters {where}/text/text]"
                )
            fields = block.get("fields") or []
            if len(fields) > 10:
                problems.append(f"invalid_blocks: no more than 10 items allowed {where}/fields]")
            problems += [
                f"invalid_blocks: must be less than 2001 characters {where}/fields/{j}/text]"
                for j, f in enumerate(fields)
                if not 0 < len(f.get("text", "")) <= 2000
            ]
            if not text and not fields:
                problems.append(f"invalid_blocks: must provide text or fields {where}]")
        elif kind not in ("divider", "context"):
            problems.append(f"invalid_blocks: unsupported type {where}/type]")
    return problems


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
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

    def do_POST(self) -> None:
        self.server.fake._handle(self)


class FakeSlack(FaultInjection, LocalServer):
    handler_class = _Handler

    def __init__(
        self, *, bot_token: str = "xoxb-fake-0000-s3cr3tT0k3n", channel_id: str = "C0FAKE"
    ) -> None:
        FaultInjection.__init__(self)
        self.lock = threading.RLock()
        self.bot_token, self.channel_id = bot_token, channel_id
        self.messages: list[dict[str, Any]] = []
        self.requests: list[RecordedRequest] = []
        self.counters: Counter[str] = Counter()

    @property
    def webhook_url(self) -> str:
        return self.url + WEBHOOK_PATH

    @property
    def api_url(self) -> str:
        return self.url + "/api"

    def _handle(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = urlsplit(handler.path).path
        authorization = handler.headers.get("Authorization", "")
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = raw.decode(errors="replace")
        headers = {k.lower(): v for k, v in handler.headers.items() if k.lower() != "authorization"}
        with self.lock:
            self.counters["requests"] += 1
            self.requests.append(
                RecordedRequest("POST", path, headers, body, authorization.split(" ", 1)[0] or None)
            )
        fault = self.next_fault(path)
        if fault is not None and fault.kind in ("fail", "rate_limit"):
            self.counters[fault.kind] += 1
            reply = fault_reply(fault)
            self._send(handler, reply.status, orjson.dumps(reply.body), reply.headers)
            return
        if path.startswith("/services/"):
            self._webhook(handler, path, body)
        elif path == "/api/chat.postMessage":
            self._post_message(handler, authorization, body)
        else:
            self._send(handler, 404, b"not_found")

    def _webhook(self, handler: _Handler, path: str, body: Any) -> None:
        if path != WEBHOOK_PATH:
            self._send(handler, 404, b"no_service")
            return
        problems = block_problems(body)
        if problems:
            self._send(handler, 400, problems[0].split(":")[0].encode())
            return
        with self.lock:
            self.messages.append(body)
        self._send(handler, 200, b"ok")

    def _post_message(self, handler: _Handler, authorization: str, body: Any) -> None:
        def answer(payload: dict[str, Any]) -> None:
            self._send(
                handler, 200, orjson.dumps(payload), content_type="application/json; charset=utf-8"
            )

        if authorization != f"Bearer {self.bot_token}":
            answer({"ok": False, "error": "invalid_auth"})
            return
        if not isinstance(body, dict) or not body.get("channel"):
            answer({"ok": False, "error": "channel_not_found"})
            return
        problems = block_problems(body)
        if problems:
            error = problems[0].split(":")[0]
            answer(
                {
                    "ok": False,
                    "error": error,
                    "errors": problems if error == "invalid_blocks" else [],
                }
            )
            return
        with self.lock:
            self.messages.append(body)
            ts = f"1700000000.{len(self.messages):06d}"
        answer(
            {
                "ok": True,
                "channel": self.channel_id,
                "ts": ts,
                "message": {"text": body.get("text")},
            }
        )

    def _send(
        self,
        handler: _Handler,
        status: int,
        payload: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "text/html",
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
