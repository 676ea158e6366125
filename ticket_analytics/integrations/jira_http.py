"""Jira over HTTP: settings, errors, auth and the one retry policy.

- 429 and 503 wait what the server asks (``Retry-After`` seconds or HTTP date, else
  ``X-RateLimit-Reset``), capped at ``retry_after_max_s`` (10 min; a shorter wait only earns
  another 429); without a hint they back off like 5xx;
- 500/502/503/504, timeouts and transport errors (refused or dropped connections) back off
  exponentially with full jitter: ``uniform(0, min(backoff_max_s, backoff_base_s * 2**n))``;
- at most ``max_retries`` retries, then ``JiraError`` naming method, path and the last status;
- any other 4xx fails at once with Jira's ``errorMessages``;
- the one non-idempotent call (``add_comment``) is retried only when the server cannot have
  acted on it (429/503, or a connection that never opened), so a retry never posts twice.

Credentials live only inside the httpx auth objects: errors, logs and reprs never show them.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
import orjson
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
)

log = logging.getLogger(__name__)

FLAVORS = ("cloud", "datacenter", "auto")
# Data Center's Lucene/OpenSearch max_result_window: asking for startAt at or past it is a 400.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses after which the server has certainly not acted, so even a POST may be repeated.
_UNPROCESSED_STATUSES = frozenset({429, 503})
_UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class JiraError(RuntimeError):
    """A Jira call that failed for good. Names method, path and status, never credentials."""

    def __init__(self, method: str, path: str, status: int | None, detail: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        status_text = f"HTTP {status}" if status is not None else "no HTTP response"
        super().__init__(f"Jira {method} {path} failed ({status_text}): {detail}")


def _mask(secret: str) -> str:
    return "'***'" if secret else "''"


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
    # Server hints (Retry-After, X-RateLimit-Reset) are honoured up to this, not backoff_max_s.
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
        if self.max_retries < 0 or self.timeout_s <= 0:
            raise ValueError("max_retries must be >= 0 and timeout_s > 0")

    def __repr__(self) -> str:
        return (
            f"JiraSettings(url={self.url!r}, flavor={self.flavor!r}, email={_mask(self.email)}, "
            f"api_token={_mask(self.api_token)}, pat={_mask(self.pat)}, "
            f"timeout_s={self.timeout_s}, max_retries={self.max_retries}, "
            f"backoff_base_s={self.backoff_base_s}, backoff_max_s={self.backoff_max_s}, "
            f"retry_after_max_s={self.retry_after_max_s})"
        )

    __str__ = __repr__


@dataclass
class RequestStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    pages: int = 0


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(***)"


def _server_hint(response: httpx.Response, now: datetime) -> float | None:
    """Seconds the server asked us to wait, if it said so in a way we understand."""
    retry_after = response.headers.get("Retry-After", "").strip()
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(retry_after) - now).total_seconds())
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    if reset:
        try:
            moment = datetime.fromisoformat(reset)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, (moment - now).total_seconds())
    return None


def _error_detail(response: httpx.Response) -> str:
    try:
        payload = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        payload = None
    messages: list[str] = []
    if isinstance(payload, dict):
        messages += [str(m) for m in payload.get("errorMessages") or []]
        errors = payload.get("errors")
        if isinstance(errors, dict):
            messages += [f"{field}: {message}" for field, message in errors.items()]
    if response.status_code in (401, 403):
        messages.insert(0, "authentication/permission refused (check email + API token or PAT)")
    return "; ".join(messages) or response.reason_phrase or "no error message"


class JiraHttp:
    """One httpx connection pool, the auth and the retry policy; the API lives in JiraClient."""

    def __init__(
        self,
        settings: JiraSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._rng = random.Random()
        self._flavor: str | None = None if settings.flavor == "auto" else settings.flavor
        self._time_zone: str | None = None
        self.stats = RequestStats()
        # One call at a time: a sync reads search pages ahead in a thread while its main
        # thread may fetch an issue's remaining changelog, and the stats are plain counters.
        self._lock = threading.Lock()
        self._http = httpx.Client(
            base_url=settings.url.rstrip("/"),
            transport=transport,
            timeout=settings.timeout_s,
            headers={"Accept": "application/json", "User-Agent": "ticket-analytics"},
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(url={self._settings.url!r}, flavor={self._flavor or 'auto'!r})"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

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
        bearer = _BearerAuth(s.pat) if s.pat else None
        # Cloud and not-yet-detected prefer basic; Data Center PATs only work as bearer.
        if self._flavor == "datacenter":
            return bearer or basic
        return basic or bearer

    def _wait(self, state: RetryCallState) -> float:
        s = self._settings
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            response = outcome.result()
            if response.status_code in _UNPROCESSED_STATUSES:
                hint = _server_hint(response, datetime.now(UTC))
                if hint is not None:
                    return min(hint, s.retry_after_max_s)
        ceiling = min(s.backoff_max_s, s.backoff_base_s * 2 ** (state.attempt_number - 1))
        return self._rng.uniform(0.0, ceiling)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        idempotent: bool = True,
    ) -> Any:
        """One logical call under the retry policy; returns parsed JSON (None for no content)."""
        content = orjson.dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        auth = self._auth()
        last_status: list[int] = []

        def attempt() -> httpx.Response:
            self.stats.requests += 1
            response = self._http.request(
                method,
                path,
                params=params,
                content=content,
                headers=headers,
                auth=auth or httpx.USE_CLIENT_DEFAULT,
            )
            last_status.append(response.status_code)
            if response.status_code == 429:
                self.stats.rate_limited += 1
            return response

        def retry_status(response: httpx.Response) -> bool:
            retryable = _RETRY_STATUSES if idempotent else _UNPROCESSED_STATUSES
            return response.status_code in retryable

        def retry_error(exc: BaseException) -> bool:
            return isinstance(exc, _UNSENT_ERRORS if not idempotent else httpx.TransportError)

        def before_sleep(state: RetryCallState) -> None:
            self.stats.retries += 1
            outcome = state.outcome
            assert outcome is not None
            reason = (
                type(outcome.exception()).__name__
                if outcome.failed
                else f"HTTP {outcome.result().status_code}"
            )
            log.warning(
                "Jira %s %s: %s; retry %d/%d in %.2fs",
                method,
                path,
                reason,
                state.attempt_number,
                self._settings.max_retries,
                state.upcoming_sleep,
            )

        retrying = Retrying(
            sleep=self._sleep,
            stop=stop_after_attempt(self._settings.max_retries + 1),
            wait=self._wait,
            retry=retry_if_result(retry_status) | retry_if_exception(retry_error),
            before_sleep=before_sleep,
            # Hand back the final response (or re-raise the final error) instead of RetryError.
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        try:
            with self._lock:
                response: httpx.Response = retrying(attempt)
        except httpx.TransportError as exc:
            tried = f" (last status {last_status[-1]})" if last_status else ""
            # `from None`: the httpx exception holds the request, and with it the auth header.
            raise JiraError(method, path, None, f"{type(exc).__name__}: {exc}{tried}") from None
        if response.is_success:
            if response.status_code == 204 or not response.content:
                return None
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError:
                raise JiraError(
                    method, path, response.status_code, "response is not JSON"
                ) from None
        detail = _error_detail(response)
        if retry_status(response):
            detail = f"gave up after {len(last_status)} attempts: {detail}"
        raise JiraError(method, path, response.status_code, detail)
