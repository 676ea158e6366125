"""Read Jira JSON exports from disk: search pages, single issues, comment pages, NDJSON.

Accepted shapes, detected per document:
- Cloud `/rest/api/3/search/jql` pages (`issues`, `isLast`, `nextPageToken`);
- Data Center `/rest/api/2/search` pages (`issues`, `startAt`, `total`);
- a single issue (`/rest/api/{2,3}/issue/{key}`), or a JSON list of issues;
- a comment page (`/rest/api/{2,3}/issue/{key}/comment`: `comments`);
- NDJSON / JSON Lines: one issue (or one of the documents above) per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import simdjson

from ticket_analytics.jira.nesting import deep_recursion
from ticket_analytics.jira.records import RawRows, is_array, is_object

SUFFIXES = (".json", ".ndjson", ".jsonl")


class PayloadError(ValueError):
    """A file that cannot be read as Jira JSON; the message names the file and position."""


def discover_files(path: Path) -> list[Path]:
    """`path` itself, or every JSON/NDJSON file below it, in a stable order."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    raise PayloadError(f"{path}: no such file or directory")


def _position(text: bytes, offset: int) -> str:
    line = text.count(b"\n", 0, offset) + 1
    column = offset - (text.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _parse(text: bytes, where: str, base_offset: int = 0, full: bytes | None = None) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "depth limit" not in exc.msg:
            position = _position(full if full is not None else text, base_offset + exc.pos)
            raise PayloadError(f"{where}: invalid JSON at {position}: {exc.msg}") from None
    # orjson stops at 1024 levels; valid but deeper documents go through the stdlib parser.
    try:
        with deep_recursion():
            return json.loads(text)
    except json.JSONDecodeError as exc:
        position = _position(full if full is not None else text, base_offset + exc.pos)
        raise PayloadError(f"{where}: invalid JSON at {position}: {exc.msg}") from None


def _parse_lazily(text: bytes, where: str, base_offset: int = 0, full: bytes | None = None) -> Any:
    try:
        # simdjson parses far faster than building Python objects and leaves the document as
        # lazy views; whatever it refuses (malformed, very deep, 65-bit integers) goes through
        # the exact parser, which also words the error.
        return simdjson.Parser().parse(text)
    except (ValueError, RuntimeError):
        return _parse(text, where, base_offset, full)


def read_documents(path: Path, label: str | None = None) -> Iterator[tuple[str, Any]]:
    """Yield (locator, document) for one file; malformed JSON raises PayloadError.

    Locators start with `label` (default: the path), so the same export loaded from another
    folder yields the same locators; errors always name the full path.
    """
    data = path.read_bytes()
    name, label = str(path), label or str(path)
    is_lines = path.suffix.lower() in (".ndjson", ".jsonl")
    if not is_lines:
        yield label, _parse_lazily(data, name)
        return
    offset = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            yield f"{label}:{number}", _parse_lazily(line, name, offset, data)
        offset += len(line) + 1


def add_document(rows: RawRows, document: Any, locator: str) -> int:
    """Route one parsed document into `rows`; returns the number of issue records seen."""
    if is_array(document):
        for i, issue in enumerate(document):
            rows.add_issue(issue, f"{locator}[{i}]")
        return len(document)
    if is_object(document):
        issues = document.get("issues")
        if is_array(issues):
            for i, issue in enumerate(issues):
                rows.add_issue(issue, f"{locator}#issues[{i}]")
            return len(issues)
        if "fields" in document or "key" in document:
            rows.add_issue(document, locator)
            return 1
        comments = document.get("comments")
        if is_array(comments):
            for i, comment in enumerate(comments):
                rows.add_comment(None, None, comment, f"{locator}#comments[{i}]")
            return 0
    rows.reject(locator, "not a Jira search page, issue, issue list or comment page", document)
    return 0
