"""Both Jira shapes normalise to the same Ticket."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ticket_analytics.triage.tickets import ticket_from_issue, tickets_from_search

ADF = {
    "type": "doc",
    "version": 1,
    "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "클라우드: AWS"}]},
        {
            "type": "bulletList",
            "content": [
                {
                    "type": "listItem",
                    "content": [
                        {"type": "paragraph", "content": [{"type": "text", "text": "Env: stg"}]}
                    ],
                }
            ],
        },
    ],
}


def _issue(description: object) -> dict[str, object]:
    return {
        "id": "10001",
        "key": "OPS-1",
        "fields": {
            "summary": "RDS 생성",
            "description": description,
            "issuetype": {"name": "Task"},
            "components": [{"name": "RDS"}],
            "labels": ["db"],
            "reporter": {"displayName": "강민지", "accountId": "abc"},
            "created": "2025-11-03T14:05:00.000+0900",
            "updated": "2025-11-03T15:00:00.000+0900",
        },
    }


def test_a_cloud_search_page_gives_adf_descriptions_as_text() -> None:
    (ticket,) = tickets_from_search({"issues": [_issue(ADF)], "nextPageToken": "x"})
    assert ticket.flavor == "cloud"
    assert ticket.description == "클라우드: AWS\n\n- Env: stg"
    assert ticket.created == datetime(2025, 11, 3, 5, 5, tzinfo=UTC)
    assert (ticket.issue_type, ticket.components, ticket.labels) == ("Task", ("RDS",), ("db",))
    assert ticket.reporter == "강민지"


def test_a_cloud_page_without_descriptions_is_still_cloud() -> None:
    (ticket,) = tickets_from_search({"issues": [_issue(None)], "isLast": True})
    assert ticket.flavor == "cloud" and ticket.description == ""


def test_a_datacenter_page_keeps_wiki_text() -> None:
    page = {"startAt": 0, "maxResults": 50, "total": 1, "issues": [_issue("h3. 요청\n* Env: stg")]}
    (ticket,) = tickets_from_search(page)
    assert ticket.flavor == "datacenter" and ticket.description == "h3. 요청\n* Env: stg"


def test_a_broken_timestamp_does_not_stop_the_ticket() -> None:
    issue = _issue("x")
    issue["fields"]["created"] = "yesterday"  # type: ignore[index]
    assert ticket_from_issue(issue).created is None


def test_real_datacenter_search_payload_parses(jira_samples: Path) -> None:
    page = json.loads((jira_samples / "dc-v2-search-many-issues.jrjc.json").read_text())
    tickets = tickets_from_search(page)
    assert len(tickets) == len(page["issues"]) and all(t.key for t in tickets)
    assert {t.flavor for t in tickets} == {"datacenter"}


def test_real_cloud_issue_parses(jira_samples: Path) -> None:
    page = json.loads((jira_samples / "cloud-v3-issue-adf.airbyte.json").read_text())
    tickets = tickets_from_search({"issues": page["issues"], "isLast": True})
    assert tickets and all(t.created is not None for t in tickets)
