"""Hand-made Jira Cloud issues for model tests: every value in them is chosen to be checked by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEAM = {"accountId": "team-1", "displayName": "Dev Ops"}
REPORTER = {"accountId": "user-1", "displayName": "Requester"}
CATEGORY = {
    "Open": "new",
    "Reopened": "new",
    "In Progress": "indeterminate",
    "Waiting for Customer": "indeterminate",
    "Resolved": "done",
    "Closed": "done",
}


def issue(
    key: str,
    created: str,
    *,
    summary: str = "기타 문의",
    description: str = "",
    priority: str = "Medium",
    transitions: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    comments: list[tuple[str, dict[str, str]]] = (),  # type: ignore[assignment]
    resolved: str | None = None,
    components: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """An issue whose changelog walks `transitions` = [(at, from, to)], in order."""
    number = int(key.split("-")[1])
    status = transitions[-1][2] if transitions else "Open"
    histories = [
        {
            "id": str(number * 100 + i),
            "author": TEAM,
            "created": at,
            "items": [{"field": "status", "fieldtype": "jira", "fromString": old, "toString": new}],
        }
        for i, (at, old, new) in enumerate(transitions)
    ]
    events = [created, *(t[0] for t in transitions), *(c[0] for c in comments)]
    return {
        "id": str(10000 + number),
        "key": key,
        "fields": {
            "summary": summary,
            "description": description,
            "priority": {"name": priority},
            "status": {"name": status, "statusCategory": {"key": CATEGORY[status]}},
            "reporter": REPORTER,
            "assignee": TEAM,
            "components": [{"name": c} for c in components],
            "labels": [],
            "created": created,
            "updated": max(events, key=_utc_sort_key),
            "resolutiondate": resolved,
            "comment": {
                "comments": [
                    {"id": str(number * 100 + 50 + i), "author": author, "body": "…", "created": at}
                    for i, (at, author) in enumerate(comments)
                ]
            },
        },
        "changelog": {"histories": list(reversed(histories))},
    }


def _utc_sort_key(value: str) -> str:
    from ticket_analytics.jira.timestamps import parse_jira_timestamp

    return parse_jira_timestamp(value).isoformat()


def write_page(path: Path, issues: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"issues": issues, "isLast": True}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def load_and_build(conn: Any, page: Path, months: list[str] | tuple[str, ...] = ()) -> None:
    """Load a page of issues, publish the catalog and build every model (and `months`)."""
    from ticket_analytics.catalog import default_catalog
    from ticket_analytics.triage.verdicts import refresh_verdicts_before_build
    from ticket_analytics.warehouse.catalog_tables import write_catalog
    from ticket_analytics.warehouse.file_ingest import ingest_files
    from ticket_analytics.warehouse.model_project import load_project
    from ticket_analytics.warehouse.models import build_project

    ingest_files(conn, page)
    write_catalog(conn, default_catalog())
    refresh_verdicts_before_build(conn)
    build_project(conn, load_project(), months=months)
