"""The HTTP layer every client shares: auth that never leaks, one retry policy, clear errors.

- 429 and 503 wait what the server asks (``Retry-After`` seconds or HTTP date, else
  ``X-RateLimit-Reset``), capped at ``retry_after_max_s`` (10 min; a shorter wait only earns
  another 429); without a hint they back off like 5xx;
- 500/502/503/504, timeouts and transport errors (refused or dropped connections) back off
  exponentially with full jitter: ``uniform(0, min(backoff_max_s, backoff_base_s * 2**n))``;
- at most ``max_retries`` retries, then ``ServiceError`` naming service, method, path and the
  last status;
- any other 4xx fails at once with the service's own error message;
- a non-idempotent call (a POST that creates something) is retried only when the server cannot
  have acted on it (429, a 503 that says when to come back, or a connection that never
  opened), so a retry never posts twice. A bare 503 may come from a proxy whose upstream
  had already acted.

Credentials live only inside httpx auth objects or headers the caller marks secret: errors,
logs and reprs never show them. A path that is itself a secret (a Slack webhook) is shown by
the ``label`` its caller gives.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Self

import httpx
import orjson
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
)

from ticket_analytics.integrations.http_answers import error_detail, server_hint

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses after which the server has certainly not acted, so even a POST may be repeated.
_UNPROCESSED_STATUSES = frozenset({429, 503})
_UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ServiceError(RuntimeError):
    """A call that failed for good. Names service, method, path and status, never credentials."""

    def __init__(
        self, service: str, method: str, path: str, status: int | None, detail: str
    ) -> None:
        self.service = service
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        status_text = f"HTTP {status}" if status is not None else "no HTTP response"
        super().__init__(f"{service} {method} {path} failed ({status_text}): {detail}")


ErrorFactory = Callable[[str, str, int | None, str], ServiceError]


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 30.0
    max_retries: int = 6
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    # Server hints (Retry-After, X-RateLimit-Reset) are honoured up to this, not backoff_max_s.
    retry_after_max_s: float = 600.0

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.timeout_s <= 0:
            raise ValueError("max_retries must be >= 0 and timeout_s > 0")

    @classmethod
    def of(cls, settings: object) -> RetryPolicy:
        """The policy a client's settings ask for: the fields they have, defaults for the rest."""
        return cls(
            **{f.name: getattr(settings, f.name) for f in fields(cls) if hasattr(settings, f.name)}
        )


@dataclass
class RequestStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    pages: int = 0


def mask(secret: str) -> str:
    """How a secret appears in a repr: whether it is set, never what it is."""
    return "'***'" if secret else "''"


class BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


class HeaderAuth(httpx.Auth):
    """A secret sent in a header of its own (Azure's ``api-key``, Datadog's ``DD-API-KEY``)."""

    def __init__(self, header: str, secret: str) -> None:
        self._header, self._secret = header, secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._secret
        yield request

    def __repr__(self) -> str:
        return f"HeaderAuth({self._header}: ***)"


class HttpTransport:
    """One connection pool, the auth and the retry policy of one service; no API knowledge."""

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        policy: RetryPolicy | None = None,
        auth: httpx.Auth | None = None,
        auth_hint: str = "check the credentials",
        headers: Mapping[str, str] | None = None,
        error: ErrorFactory | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.service = service
        self.policy = policy or RetryPolicy()
        self.auth = auth
        self.stats = RequestStats()
        self._auth_hint = auth_hint
        self._error: ErrorFactory = error or (
            lambda method, path, status, detail: ServiceError(service, method, path, status, detail)
        )
        # `is not None`: a recorder of sleeps may be an empty list, which is falsy
        self._sleep = sleep if sleep is not None else time.sleep
        self._rng = random.Random()
        # Calls run concurrently (httpx's pool is thread-safe): the sync fetches truncated lists
        # four at a time while a page downloads, and one call at a time had queued them all
        # behind each other and the page. Only the plain stats counters are guarded.
        self._counting = threading.Lock()
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=self.policy.timeout_s,
            headers={
                "Accept": "application/json",
                "User-Agent": "ticket-analytics",
                **(headers or {}),
            },
        )

    def __repr__(self) -> str:
        return f"HttpTransport({self.service!r}, {str(self._http.base_url)!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def error(self, method: str, path: str, status: int | None, detail: str) -> ServiceError:
        return self._error(method, path, status, detail)

    def _wait(self, state: RetryCallState) -> float:
        policy = self.policy
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            response = outcome.result()
            if response.status_code in _UNPROCESSED_STATUSES:
                hint = server_hint(response, datetime.now(UTC))
                if hint is not None:
                    return min(hint, policy.retry_after_max_s)
        ceiling = min(policy.backoff_max_s, policy.backoff_base_s * 2 ** (state.attempt_number - 1))
        return self._rng.uniform(0.0, ceiling)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
        auth: httpx.Auth | None = None,
        label: str | None = None,
        accept: Callable[[httpx.Response], bool] | None = None,
    ) -> httpx.Response:
        """One logical call under the retry policy; returns the final successful response.

        ``label`` replaces the path in errors and logs (for paths that are secrets); ``accept``
        lets a caller take an unsuccessful status as an answer (a 409 it handles itself).
        """
        shown = label or path
        content = orjson.dumps(body) if body is not None else None
        sent_headers = dict(headers or {})
        if content is not None:
            sent_headers.setdefault("Content-Type", "application/json")
        use_auth = auth or self.auth
        last_status: list[int] = []

        def attempt() -> httpx.Response:
            self._count("requests")
            response = self._http.request(
                method,
                path,
                params=params,
                content=content,
                headers=sent_headers,
                auth=use_auth or httpx.USE_CLIENT_DEFAULT,
            )
            _free_by_count(response)
            last_status.append(response.status_code)
            if response.status_code == 429:
                self._count("rate_limited")
            return response

        def retry_status(response: httpx.Response) -> bool:
            if idempotent:
                return response.status_code in _RETRY_STATUSES
            return response.status_code == 429 or (
                response.status_code == 503 and server_hint(response, datetime.now(UTC)) is not None
            )

        def retry_error(exc: BaseException) -> bool:
            return isinstance(exc, _UNSENT_ERRORS if not idempotent else httpx.TransportError)

        def before_sleep(state: RetryCallState) -> None:
            self._count("retries")
            outcome = state.outcome
            assert outcome is not None
            reason = (
                type(outcome.exception()).__name__
                if outcome.failed
                else f"HTTP {outcome.result().status_code}"
            )
            log.warning(
                "%s %s %s: %s; retry %d/%d in %.2fs",
                self.service,
                method,
                shown,
                reason,
                state.attempt_number,
                self.policy.max_retries,
                state.upcoming_sleep,
            )

        retrying = Retrying(
            sleep=self._sleep,
            stop=stop_after_attempt(self.policy.max_retries + 1),
            wait=self._wait,
            retry=retry_if_result(retry_status) | retry_if_exception(retry_error),
            before_sleep=before_sleep,
            # Hand back the final response (or re-raise the final error) instead of RetryError.
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        try:
            response: httpx.Response = retrying(attempt)
        except httpx.TransportError as exc:
            tried = f" (last status {last_status[-1]})" if last_status else ""
            # `from None`: the httpx exception holds the request, and with it the auth header;
            # its text names the URL, which may be the secret itself (a webhook).
            reason = type(exc).__name__ if label else f"{type(exc).__name__}: {exc}"
            raise self.error(method, shown, None, f"{reason}{tried}") from None
        if response.is_success or (accept is not None and accept(response)):
            return response
        detail = error_detail(response, self._auth_hint)
        if retry_status(response):
            detail = f"gave up after {len(last_status)} attempts: {detail}"
        raise self.error(method, shown, response.status_code, detail)

    def _count(self, counter: str) -> None:
        with self._counting:
            setattr(self.stats, counter, getattr(self.stats, counter) + 1)

    def json(
        self, method: str, path: str, *, loads: Callable[[bytes], Any] = orjson.loads, **kwargs: Any
    ) -> Any:
        """`request`, parsed as JSON by `loads` (None for an empty answer)."""
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return loads(response.content)
        except ValueError:  # orjson's and simdjson's decode errors both are
            shown = kwargs.get("label") or path
            raise self.error(method, shown, response.status_code, "response is not JSON") from None


def _free_by_count(response: httpx.Response) -> None:
    """Let a read response, body included, be freed as soon as it is dropped.

    An httpx response and its stream refer to each other, so it was freed only when Python's
    cyclic garbage collector next ran, often several responses later: on Jira's
    multi-megabyte search pages that held ~100 MB of bodies nobody used. The body is read
    and the stream closed by now, so nothing needs the stream again.
    """
    response.stream = httpx.ByteStream(b"")


class TransportClient:
    """What every service client shares: one `HttpTransport`, closed with the client."""

    _http: HttpTransport

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def stats(self) -> RequestStats:
        return self._http.stats
