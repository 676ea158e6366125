"""Jira records for the raw loader's tests: issues, histories, comments, search pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def issue(
    key: str, issue_id: str, updated: str = "2025-11-03T14:05:00.000+0900", **fields: Any
) -> dict[str, Any]:
    base = {
        "summary": f"summary of {key}",
        "description": {
            "type": "doc",
            "version": 1,
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": f"text of {key}"}]}
            ],
        },
        "status": {"name": "Open", "statusCategory": {"key": "new"}},
        "created": "2025-11-01T08:30:00.000+0900",
        "updated": updated,
        "resolutiondate": None,
    }
    return {"id": issue_id, "key": key, "fields": {**base, **fields}}


def write_page(path: Path, issues: list[Any], deep: str = "") -> Path:
    text = json.dumps({"issues": issues, "isLast": True})
    path.write_text(text.replace('"__DEEP__"', deep), encoding="utf-8")
    return path


def history(history_id: str, created: str) -> dict[str, Any]:
    item = {"field": "status", "fromString": "Open", "toString": "In Progress"}
    return {"id": history_id, "created": created, "items": [item]}


def comment(comment_id: str, updated: str, text: str) -> dict[str, Any]:
    return {
        "id": comment_id,
        "created": "2025-11-01T09:00:00.000+0000",
        "updated": updated,
        "body": text,
    }
