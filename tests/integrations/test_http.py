"""The shared HTTP layer, through a client written here on it: what every client inherits."""

from __future__ import annotations

import gc
import json
import threading
import weakref
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from jira_clients import Sleeps

from ticket_analytics.integrations.http import BearerAuth, HttpTransport, RetryPolicy, ServiceError

SECRET = "s3cr3t-token-value"


class _Script(ThreadingHTTPServer):
    daemon_threads = True
    replies: list[tuple[int, dict[str, str], dict[str, Any]]]
    seen: list[tuple[str, str, str | None]]


class _Handler(BaseHTTPRequestHandler):
    server: _Script

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, self.headers.get("Authorization")))
        status, headers, body = self.server.replies.pop(0) if self.server.replies else (200, {}, {})
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _reply


@pytest.fixture
def server() -> Iterator[_Script]:
    script = _Script(("127.0.0.1", 0), _Handler)
    script.replies, script.seen = [], []
    thread = threading.Thread(target=script.serve_forever, daemon=True)
    thread.start()
    yield script
    script.shutdown()
    script.server_close()


class TicketsClient:
    """A second service's client in a few lines: the transport does auth, retries, errors."""

    def __init__(self, url: str, sleep: Sleeps) -> None:
        self.http = HttpTransport(
            "Tickets",
            url,
            policy=RetryPolicy(max_retries=3, backoff_base_s=0.01),
            auth=BearerAuth(SECRET),
            auth_hint="check TICKETS_TOKEN",
            sleep=sleep,
        )

    def get(self, key: str) -> Any:
        return self.http.json("GET", f"/api/tickets/{key}")

    def create(self, title: str) -> Any:
        return self.http.json("POST", "/api/tickets", body={"title": title}, idempotent=False)

    def notify(self, hook_path: str) -> Any:
        return self.http.json("POST", hook_path, body={}, idempotent=False, label="webhook")


def _client(server: _Script, sleeps: Sleeps) -> TicketsClient:
    return TicketsClient(f"http://127.0.0.1:{server.server_address[1]}", sleeps)


def test_a_read_waits_what_the_server_asks_then_retries_with_the_auth(server: _Script) -> None:
    server.replies = [(503, {"Retry-After": "7"}, {}), (500, {}, {}), (200, {}, {"key": "T-1"})]
    sleeps = Sleeps()
    assert _client(server, sleeps).get("T-1") == {"key": "T-1"}
    assert sleeps[0] == 7 and len(sleeps) == 2
    assert [auth for _, _, auth in server.seen] == [f"Bearer {SECRET}"] * 3


def test_a_create_is_never_repeated_after_the_server_may_have_acted(server: _Script) -> None:
    server.replies = [(500, {}, {"message": "boom"})]
    with pytest.raises(ServiceError) as raised:
        _client(server, Sleeps()).create("new")
    assert len(server.seen) == 1
    error = raised.value
    assert (error.service, error.method, error.path, error.status) == (
        "Tickets",
        "POST",
        "/api/tickets",
        500,
    )
    assert str(error) == "Tickets POST /api/tickets failed (HTTP 500): boom"


@pytest.mark.parametrize(
    "refusal",
    [(429, {"Retry-After": "1"}, {}), (429, {}, {}), (503, {"Retry-After": "1"}, {})],
)
def test_a_create_the_server_refused_unprocessed_is_retried(
    server: _Script, refusal: tuple[int, dict[str, str], dict[str, Any]]
) -> None:
    server.replies = [refusal, (201, {}, {"id": 5})]
    assert _client(server, Sleeps()).create("new") == {"id": 5}
    assert len(server.seen) == 2


def test_a_create_is_not_repeated_after_a_bare_503(server: _Script) -> None:
    """Jira's rate limiting says when to come back; a 503 without it may be a proxy's, sent
    after Jira stored the comment: repeating the POST would comment twice."""
    server.replies = [(503, {}, {}), (201, {}, {"id": 5})]
    with pytest.raises(ServiceError, match="HTTP 503"):
        _client(server, Sleeps()).create("new")
    assert len(server.seen) == 1


def test_errors_name_the_refusal_and_never_the_secret_or_a_secret_path(server: _Script) -> None:
    server.replies = [(401, {}, {"error": "bad token"})]
    with pytest.raises(ServiceError, match="authentication/permission refused") as refused:
        _client(server, Sleeps()).get("T-1")
    assert SECRET not in str(refused.value) and "TICKETS_TOKEN" in str(refused.value)

    server.replies = [(404, {}, {})]
    with pytest.raises(ServiceError) as missing:
        _client(server, Sleeps()).notify(f"/hooks/{SECRET}")
    assert SECRET not in str(missing.value) and "webhook" in str(missing.value)
    assert SECRET not in repr(_client(server, Sleeps()).http)


def test_a_connection_that_never_opens_names_the_service_and_path() -> None:
    client = TicketsClient("http://127.0.0.1:9", Sleeps())
    with pytest.raises(
        ServiceError, match=r"Tickets GET /api/tickets/T-1 failed \(no HTTP response\)"
    ):
        client.get("T-1")


def test_a_response_is_freed_as_soon_as_it_is_dropped(server: _Script) -> None:
    """Jira's search pages are megabytes each: responses kept until Python's cyclic garbage
    collector next ran held ~100 MB of a sync's memory."""
    server.replies = [(503, {}, {}), (200, {}, {"key": "T-1"})]
    client = _client(server, Sleeps())
    gc.disable()
    try:
        response = client.http.request("GET", "/api/tickets/T-1")
        assert response.json() == {"key": "T-1"}
        dropped = weakref.ref(response)
        del response
        assert dropped() is None
    finally:
        gc.enable()
