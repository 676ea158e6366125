"""A real HTTP fake of OpenAI's Chat Completions, in its OpenAI and Azure shapes.

    with FakeOpenAI() as fake:                    # POST /v1/chat/completions, Bearer key
        fake.answer_json({"title": "x"})
        settings = LlmSettings(**fake.settings_kwargs())
    with FakeOpenAI(azure=True) as fake:          # POST /openai/deployments/{d}/chat/completions
        ...                                       #      ?api-version=…, header api-key

Replies are scripted in order (``answer_json``, ``answer_text``, ``refuse``, ``cut_off``,
``fail``, ``slow``); with none left the fake answers 500, so a test never passes on an
answer it did not script. Every request is recorded without its credential
(``requests``); answers carry a realistic ``usage`` with
``prompt_tokens_details.cached_tokens``. A wrong key gets a 401 that echoes the key, as a
careless server might, to prove the client redacts it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from fakes.local_server import LocalServer, QuietServer

_SECRET_HEADERS = frozenset({"authorization", "api-key"})


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names; Authorization and api-key removed
    body: Any
    auth: str | None  # "Bearer" or "api-key": how the credential came, never its value


@dataclass(frozen=True)
class Reply:
    status: int = 200
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    delay_s: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: QuietServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.fake._handle(self)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeOpenAI(LocalServer):
    handler_class = _Handler

    def __init__(
        self,
        *,
        azure: bool = False,
        api_key: str = "sk-fake-test-key-0123456789abcdefXYZ",
        latency_s: float = 0.0,
        cached_tokens: int = 0,
    ) -> None:
        self.azure = azure
        self.api_key = api_key
        self.latency_s = latency_s
        self.cached_tokens = cached_tokens
        self.requests: list[RecordedRequest] = []
        self.max_in_flight = 0  # the most requests being answered at once
        self._in_flight = 0
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()

    def settings_kwargs(self) -> dict[str, Any]:
        """``LlmSettings`` keyword arguments pointing at this fake."""
        if self.azure:
            return {
                "backend": "azure",
                "azure_endpoint": self.url,
                "azure_api_key": self.api_key,
                "azure_api_version": "2024-10-21",
            }
        return {
            "backend": "openai",
            "openai_api_key": self.api_key,
            "openai_base_url": f"{self.url}/v1",
        }

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def answer_json(self, answer: Any, **kwargs: Any) -> None:
        self.script(Reply(content=orjson.dumps(answer).decode(), **kwargs))

    def answer_text(self, text: str, **kwargs: Any) -> None:
        self.script(Reply(content=text, **kwargs))

    def refuse(self, text: str = "I'm sorry, I cannot help with that request.") -> None:
        self.script(Reply(refusal=text))

    def cut_off(self, text: str) -> None:
        self.script(Reply(content=text, finish_reason="length"))

    def fail(
        self, status: int, *, headers: dict[str, str] | None = None, message: str = "fake failure"
    ) -> None:
        error = {"message": message, "type": "server_error", "param": None, "code": None}
        self.script(Reply(status=status, headers=headers or {}, error=error))

    def slow(self, seconds: float, answer: Any) -> None:
        """Answer only after ``seconds``: longer than the client's timeout, it is a timeout."""
        self.script(Reply(content=orjson.dumps(answer).decode(), delay_s=seconds))

    @property
    def calls(self) -> int:
        return len(self.requests)

    def _route(self, path: str, query: dict[str, list[str]]) -> str | None:
        """The model (or deployment) the path addresses, or None when it is not ours."""
        if not self.azure:
            return "" if path == "/v1/chat/completions" else None
        parts = path.strip("/").split("/")
        shape = len(parts) == 5 and parts[:2] == ["openai", "deployments"]
        if not shape or parts[3:] != ["chat", "completions"] or not query.get("api-version"):
            return None
        return parts[2]

    def _handle(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        body = orjson.loads(raw) if raw else None
        given = handler.headers.get("api-key") if self.azure else None
        authorization = handler.headers.get("Authorization", "")
        if not self.azure and authorization.startswith("Bearer "):
            given = authorization.removeprefix("Bearer ")
        headers = {
            k.lower(): v for k, v in handler.headers.items() if k.lower() not in _SECRET_HEADERS
        }
        auth = ("api-key" if handler.headers.get("api-key") else None) or (
            authorization.split(" ", 1)[0] or None
        )
        with self._lock:
            self.requests.append(RecordedRequest("POST", parts.path, query, headers, body, auth))
        deployment = self._route(parts.path, query)
        if deployment is None:
            return self._send(handler, 404, {"error": {"message": f"no route {parts.path}"}})
        if given != self.api_key:
            message = f"Incorrect API key provided: {given}."
            return self._send(
                handler, 401, {"error": {"message": message, "code": "invalid_api_key"}}
            )
        with self._lock:
            reply = self._script.popleft() if self._script else None
        if reply is None:
            return self._send(handler, 500, {"error": {"message": "fake: no scripted reply"}})
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.latency_s or reply.delay_s:
                time.sleep(self.latency_s + reply.delay_s)
        finally:
            with self._lock:
                self._in_flight -= 1
        if reply.error is not None:
            return self._send(handler, reply.status, {"error": reply.error}, reply.headers)
        self._send(handler, reply.status, self._completion(body, reply, deployment), reply.headers)

    def _completion(self, body: Any, reply: Reply, deployment: str) -> dict[str, Any]:
        prompt = _tokens(orjson.dumps(body.get("messages")).decode())
        completion = _tokens(reply.content or reply.refusal or "")
        return {
            "id": f"chatcmpl-fake{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": deployment or body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": reply.content,
                        "refusal": reply.refusal,
                    },
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {
                    "cached_tokens": min(self.cached_tokens, prompt),
                    "audio_tokens": 0,
                },
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            },
            "system_fingerprint": "fp_fake",
        }

    def _send(
        self,
        handler: _Handler,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = orjson.dumps(payload)
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
