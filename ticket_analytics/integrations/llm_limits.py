"""Bounds on how hard one process leans on the provider: concurrent calls, requests and
tokens per minute. Map batches may run in threads, so everything here is thread-safe.

The buckets only smooth our own traffic; the provider's 429s (with Retry-After) remain the
authority and are handled by the retry policy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class TokenBucket:
    """Refills ``per_minute`` units a minute, holds at most that many; ``take`` waits."""

    def __init__(
        self,
        per_minute: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be > 0")
        self.capacity = float(per_minute)
        self._rate = self.capacity / 60.0
        self._level = self.capacity
        self._clock, self._sleep = clock, sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def _wait_for(self, amount: float) -> float:
        now = self._clock()
        self._level = min(self.capacity, self._level + (now - self._updated) * self._rate)
        self._updated = now
        if self._level >= amount:
            self._level -= amount
            return 0.0
        return (amount - self._level) / self._rate

    def take(self, amount: float = 1.0) -> float:
        """Take ``amount`` (a request larger than the bucket takes the whole bucket); return
        the seconds waited."""
        amount = min(float(amount), self.capacity)
        waited = 0.0
        while True:
            with self._lock:
                wait = self._wait_for(amount)
            if wait <= 0:
                return waited
            self._sleep(wait)
            waited += wait


class Limiter:
    """A semaphore on concurrent calls plus request and token buckets."""

    def __init__(
        self,
        *,
        max_concurrency: int,
        requests_per_minute: float,
        tokens_per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be >= 1")
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._requests = TokenBucket(requests_per_minute, clock=clock, sleep=sleep)
        self._tokens = TokenBucket(tokens_per_minute, clock=clock, sleep=sleep)

    @contextmanager
    def slot(self, tokens: int) -> Iterator[None]:
        """Hold one of the concurrent slots for a call estimated at ``tokens``."""
        with self._slots:
            self._requests.take(1)
            self._tokens.take(tokens)
            yield
