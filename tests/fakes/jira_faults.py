"""Fault injection for FakeJira: failures, 429s, dropped and slow responses, seeded chaos.

Queued faults are consumed in order by the next request whose path matches; chaos adds a
seeded random fault to a share of the requests.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from fakes.jira_routes import Reply


@dataclass
class Fault:
    kind: str  # fail | rate_limit | drop | slow
    path: str | None = None
    status: int = 500
    retry_after: float | None = None
    reset: str | None = None
    seconds: float = 0.0


class FaultInjection:
    """Fault queue and chaos of FakeJira; the fake provides `lock`."""

    lock: threading.RLock

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._chaos: tuple[float, tuple[str, ...], random.Random] | None = None

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        retry_after: float | None = None,
        *,
        path: str | None = None,
    ) -> None:
        self._faults += [Fault("fail", path, status, retry_after) for _ in range(n)]

    def rate_limit_next(
        self,
        n: int = 1,
        retry_after: float | None = 1,
        *,
        reset_header: str | None = None,
        path: str | None = None,
    ) -> None:
        self._faults += [
            Fault("rate_limit", path, 429, retry_after, reset_header) for _ in range(n)
        ]

    def drop_next(self, n: int = 1, *, path: str | None = None) -> None:
        self._faults += [Fault("drop", path) for _ in range(n)]

    def slow_next(self, n: int = 1, seconds: float = 1.0, *, path: str | None = None) -> None:
        self._faults += [Fault("slow", path, seconds=seconds) for _ in range(n)]

    def chaos(
        self, rate: float, kinds: tuple[str, ...] = ("fail", "rate_limit", "drop"), *, seed: int = 0
    ) -> None:
        """Inject a seeded random fault into ``rate`` of the requests (0 turns it off)."""
        self._chaos = (rate, kinds, random.Random(seed)) if rate > 0 else None

    def next_fault(self, path: str) -> Fault | None:
        with self.lock:
            for i, fault in enumerate(self._faults):
                if fault.path is None or fault.path in path:
                    return self._faults.pop(i)
            if self._chaos and self._chaos[2].random() < self._chaos[0]:
                kind = self._chaos[2].choice(self._chaos[1])
                return Fault(kind, status=503 if kind == "fail" else 429, retry_after=0)
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
        if fault.reset:
            headers["X-RateLimit-Reset"] = fault.reset
        return Reply(429, {"errorMessages": ["Rate limit exceeded."]}, headers)
    if fault.status == 502:
        return Reply(502, headers=headers, raw=b"<html><body>502 Bad Gateway</body></html>")
    return Reply(fault.status, {"errorMessages": [f"Injected failure ({fault.status})"]}, headers)
