"""Fault injection for FakeJira: failures, 429s, dropped and slow responses, seeded chaos.

Queued faults are consumed in order by the next request whose path (and method, when given)
matches; chaos adds a seeded random fault to a share of the requests. ``fail_after_next``
lets the request do its work and then answers 5xx (a comment stored, the answer lost), and
``limit_issue_writes`` answers 429 like Jira Cloud's per-issue write limit.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from fakes.jira_routes import Reply

_ISSUE_WRITE = re.compile(r"/rest/api/(?:2|3|latest)/issue/([^/]+)")


@dataclass
class Fault:
    kind: str  # fail | fail_after | rate_limit | drop | slow
    path: str | None = None
    status: int = 500
    retry_after: float | None = None
    reset: str | None = None
    seconds: float = 0.0
    method: str | None = None

    def matches(self, path: str, method: str | None) -> bool:
        return (self.path is None or self.path in path) and (
            self.method is None or method is None or self.method == method
        )


class FaultInjection:
    """Fault queue and chaos of FakeJira; the fake provides `lock`."""

    lock: threading.RLock

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._chaos: tuple[float, tuple[str, ...], random.Random] | None = None
        self._write_limit: tuple[int, float] | None = None
        self._issue_writes: defaultdict[str, deque[float]] = defaultdict(deque)

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        retry_after: float | None = None,
        *,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        self._faults += [Fault("fail", path, status, retry_after, method=method) for _ in range(n)]

    def fail_after_next(
        self, n: int = 1, status: int = 500, *, path: str | None = None, method: str | None = None
    ) -> None:
        """The next matching requests are carried out, then answered with ``status``."""
        self._faults += [Fault("fail_after", path, status, method=method) for _ in range(n)]

    def limit_issue_writes(self, writes: int, per_seconds: float) -> None:
        """At most ``writes`` POST/PUT/DELETE per issue in any ``per_seconds`` (wall clock);
        beyond, 429 with Retry-After, as Jira Cloud's per-issue write limit answers."""
        self._write_limit = (writes, per_seconds)

    def rate_limit_next(
        self,
        n: int = 1,
        retry_after: float | None = 1,
        *,
        reset_header: str | None = None,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        self._faults += [
            Fault("rate_limit", path, 429, retry_after, reset_header, method=method)
            for _ in range(n)
        ]

    def drop_next(self, n: int = 1, *, path: str | None = None) -> None:
        self._faults += [Fault("drop", path) for _ in range(n)]

    def slow_next(
        self,
        n: int = 1,
        seconds: float = 1.0,
        *,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        self._faults += [Fault("slow", path, seconds=seconds, method=method) for _ in range(n)]

    def chaos(
        self, rate: float, kinds: tuple[str, ...] = ("fail", "rate_limit", "drop"), *, seed: int = 0
    ) -> None:
        """Inject a seeded random fault into ``rate`` of the requests (0 turns it off)."""
        self._chaos = (rate, kinds, random.Random(seed)) if rate > 0 else None

    def next_fault(self, path: str, method: str | None = None) -> Fault | None:
        with self.lock:
            for i, fault in enumerate(self._faults):
                if fault.matches(path, method):
                    return self._faults.pop(i)
            limited = self._over_write_limit(path, method)
            if limited is not None:
                return limited
            if self._chaos and self._chaos[2].random() < self._chaos[0]:
                kind = self._chaos[2].choice(self._chaos[1])
                return Fault(kind, status=503 if kind == "fail" else 429, retry_after=0)
            return None

    def _over_write_limit(self, path: str, method: str | None) -> Fault | None:
        match = _ISSUE_WRITE.match(path)
        if self._write_limit is None or method not in ("POST", "PUT", "DELETE") or not match:
            return None
        writes, window = self._write_limit
        now = time.monotonic()
        recent = self._issue_writes[match.group(1).upper()]
        while recent and recent[0] <= now - window:
            recent.popleft()
        if len(recent) >= writes:
            wait = max(0.001, recent[0] + window - now)
            return Fault("rate_limit", status=429, retry_after=round(wait, 3), reset="per-issue")
        recent.append(now)
        return None


def fault_reply(fault: Fault) -> Reply:
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    if fault.status == 429:
        headers |= {
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "0",
            "RateLimit-Reason": "jira-burst-based",
        }
        if fault.reset == "per-issue":
            headers["RateLimit-Reason"] = "jira-per-issue-on-write"
        elif fault.reset:
            headers["X-RateLimit-Reset"] = fault.reset
        return Reply(429, {"errorMessages": ["Rate limit exceeded."]}, headers)
    if fault.status == 502:
        return Reply(502, headers=headers, raw=b"<html><body>502 Bad Gateway</body></html>")
    return Reply(fault.status, {"errorMessages": [f"Injected failure ({fault.status})"]}, headers)
