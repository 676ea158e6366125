"""Deeply nested JSON: ADF from the wild nests deeper than orjson (254/1,024 levels) or
Python's default recursion limit allow. Kept apart from `records` so the ADF helper process
imports only what rendering needs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def deep_recursion(limit: int = 50_000) -> Iterator[None]:
    """Let the stdlib JSON codec handle documents nested thousands of levels deep."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
