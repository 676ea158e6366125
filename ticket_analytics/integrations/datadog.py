"""Datadog client: custom metrics through the v2 series API (`POST /api/v2/series`).

Transport, auth and retries are the shared ones (``integrations.http``); the key travels in
the ``DD-API-KEY`` header and never appears in errors or reprs. Datadog's intake limits shape
the code:

- a request body is at most 512,000 bytes, and a compressed one may expand to at most
  5,242,880. Bodies go uncompressed (the shared transport sends JSON as it is), so the first
  limit binds and the second cannot be reached; series are packed into as few bodies as fit
  (a series too big alone is split by its points);
- a point more than an hour old or ten minutes ahead is dropped by the intake, so callers
  send the last hour only (`fresh_points`);
- a point is keyed by metric, tags and timestamp, and a later submission of the same key
  replaces the earlier one: re-sending a window is safe, and is how a minute that gained
  late events gets corrected. That is why 5xx and timeouts are retried like 429s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

import httpx
import orjson

from ticket_analytics.integrations.http import (
    HeaderAuth,
    HttpTransport,
    RetryPolicy,
    ServiceError,
    TransportClient,
    mask,
)

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "DatadogClient",
    "DatadogError",
    "DatadogSettings",
    "MetricType",
    "Series",
    "SubmitResult",
    "api_url_for_site",
    "fresh_points",
    "payloads",
    "tag",
]

SERIES_PATH = "/api/v2/series"
DEFAULT_SITE = "datadoghq.com"
MAX_PAYLOAD_BYTES = 512_000
MAX_POINT_AGE = timedelta(hours=1)
MAX_POINT_LEAD = timedelta(minutes=10)
_TAG_CHARS = re.compile(r"[^a-z0-9_\-:./]")
_TAG_MAX = 200


class DatadogError(ServiceError):
    """A Datadog call that failed for good; never shows the API key."""

    def __init__(self, method: str, path: str, status: int | None, detail: str) -> None:
        super().__init__("Datadog", method, path, status, detail)


class MetricType(IntEnum):
    UNSPECIFIED = 0
    COUNT = 1
    RATE = 2
    GAUGE = 3


def api_url_for_site(site: str) -> str:
    """`datadoghq.com` -> https://api.datadoghq.com; `app.datadoghq.eu` -> https://api.datadoghq.eu."""
    host = re.sub(r"^https?://", "", site.strip()).strip("/") or DEFAULT_SITE
    host = host.removeprefix("app.").removeprefix("api.")
    return f"https://api.{host}"


def tag(key: str, value: object) -> str:
    """A `key:value` tag as Datadog stores it: lower case, odd characters as underscores."""
    text = _TAG_CHARS.sub("_", f"{key}:{value}".lower())
    return text[:_TAG_MAX]


@dataclass(frozen=True)
class Series:
    metric: str
    type: MetricType
    points: tuple[tuple[int, float], ...]  # (epoch seconds, value)
    tags: tuple[str, ...] = ()
    interval: int | None = None  # seconds, for count and rate
    unit: str | None = None

    def body(self, points: Sequence[tuple[int, float]] | None = None) -> dict[str, Any]:
        shown = self.points if points is None else points
        document: dict[str, Any] = {
            "metric": self.metric,
            "type": int(self.type),
            "points": [{"timestamp": ts, "value": value} for ts, value in shown],
        }
        if self.tags:
            document["tags"] = list(self.tags)
        if self.interval is not None:
            document["interval"] = self.interval
        if self.unit:
            document["unit"] = self.unit
        return document


def fresh_points(series: Iterable[Series], now: datetime) -> tuple[list[Series], int]:
    """The series cut to points the intake accepts at `now`, and how many points were cut."""
    oldest = int((now - MAX_POINT_AGE).timestamp())
    newest = int((now + MAX_POINT_LEAD).timestamp())
    kept: list[Series] = []
    dropped = 0
    for one in series:
        points = tuple(p for p in one.points if oldest <= p[0] <= newest)
        dropped += len(one.points) - len(points)
        if points:
            kept.append(Series(one.metric, one.type, points, one.tags, one.interval, one.unit))
    return kept, dropped


_ENVELOPE = len(b'{"series":[]}')


def _size(document: dict[str, Any]) -> int:
    return len(orjson.dumps(document))


def _pieces(one: Series, limit: int) -> Iterator[dict[str, Any]]:
    """The series as one body, or split by its points where one body would not fit."""
    whole = one.body()
    if _size(whole) + _ENVELOPE <= limit:
        yield whole
        return
    if len(one.points) == 1:
        raise ValueError(f"one point of {one.metric} is larger than {limit} bytes")
    half = len(one.points) // 2
    for part in (one.points[:half], one.points[half:]):
        yield from _pieces(
            Series(one.metric, one.type, part, one.tags, one.interval, one.unit), limit
        )


def payloads(series: Iterable[Series], max_bytes: int = MAX_PAYLOAD_BYTES) -> list[dict[str, Any]]:
    """Request bodies `{"series": [...]}`, each at most `max_bytes` of JSON, in series order."""
    bodies: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    used = _ENVELOPE
    for one in series:
        for piece in _pieces(one, max_bytes):
            size = _size(piece) + (1 if current else 0)  # the comma between two series
            if current and used + size > max_bytes:
                bodies.append({"series": current})
                current, used, size = [], _ENVELOPE, size - 1
            current.append(piece)
            used += size
    if current:
        bodies.append({"series": current})
    return bodies


@dataclass(frozen=True)
class DatadogSettings:
    api_key: str
    site: str = DEFAULT_SITE
    api_url: str = ""  # overrides the site's URL (a proxy, or a test server)
    timeout_s: float = 30.0
    max_retries: int = 6
    retry_after_max_s: float = 120.0

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ValueError("Datadog needs an API key (DATADOG_API_KEY)")

    @property
    def base_url(self) -> str:
        return self.api_url.rstrip("/") or api_url_for_site(self.site)

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy.of(self)

    def __repr__(self) -> str:
        return f"DatadogSettings(api_key={mask(self.api_key)}, site={self.site!r}, api_url={self.api_url!r})"

    __str__ = __repr__


@dataclass(frozen=True)
class SubmitResult:
    requests: int
    series: int
    points: int
    payload_bytes: int
    errors: tuple[str, ...] = field(default=())


class DatadogClient(TransportClient):
    """Submits series, packed under the intake's limits, one request per body."""

    def __init__(
        self,
        settings: DatadogSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    ) -> None:
        self._settings = settings
        self._max_bytes = max_payload_bytes
        self._http = HttpTransport(
            "Datadog",
            settings.base_url,
            policy=settings.policy,
            auth=HeaderAuth("DD-API-KEY", settings.api_key),
            auth_hint="check DATADOG_API_KEY and DATADOG_SITE",
            error=DatadogError,
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"DatadogClient({self._settings.base_url!r})"

    def submit(self, series: Sequence[Series]) -> SubmitResult:
        """Send every series; raises `DatadogError` when Datadog refuses a body."""
        bodies = payloads(series, self._max_bytes)
        errors: list[str] = []
        sent = 0
        for body in bodies:
            answer = self._http.json("POST", SERIES_PATH, body=body)
            sent += _size(body)
            # 202 with {"errors": [...]} names series the intake could not take
            errors += [str(e) for e in (answer or {}).get("errors") or []]
        return SubmitResult(
            requests=len(bodies),
            series=len(series),
            points=sum(len(s.points) for s in series),
            payload_bytes=sent,
            errors=tuple(errors),
        )
