"""Jira responses parsed into simdjson's read-only views, by parsers each thread reuses.

A view stays valid only until its parser parses again, so a page needs a parser of its own
while its issues are in use (two or three pages at a time in a sync). A parser made afresh
for every page, though, faulted in ~13 MB of new memory per Jira-weight page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import orjson
import simdjson

PARSERS_PER_THREAD = 4


class _Parsers(threading.local):
    def __init__(self) -> None:
        self.kept: list[simdjson.Parser] = []


_parsers = _Parsers()


def parse_views(content: bytes) -> Any:
    """`content` parsed into simdjson's views, by a parser whose last document is no longer
    in use."""
    kept = _parsers.kept
    for parser in kept:
        try:
            return parser.parse(content)
        except RuntimeError:  # views of its last document are still alive
            continue
    parser = simdjson.Parser()
    if len(kept) < PARSERS_PER_THREAD:
        kept.append(parser)
    return parser.parse(content)


def json_loads(views: bool) -> Callable[[bytes], Any]:
    """The parser for a response: simdjson's views with `views`, else orjson's dicts."""
    return parse_views if views else orjson.loads
