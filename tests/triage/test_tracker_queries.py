"""The triage queries find exactly the tickets they should, with Jira's label semantics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fakes.jira_server import FakeJira
from jira_clients import Sleeps, all_keys
from triage_support import INCOMPLETE, tracker_for

from ticket_analytics.triage.tracker import JiraTracker, TriageLabels, TriageQuery


def test_labels_not_in_skips_issues_without_labels_as_jira_does(jira: FakeJira) -> None:
    bare = jira.add_issue()
    other = jira.add_issue(labels=["urgent"])
    jira.add_issue(labels=["AI_ANALYZED", "urgent"])
    with tracker_for(jira, Sleeps()) as client:
        not_in = all_keys(client, 'created >= -7d AND labels not in ("AI_ANALYZED")')
        with_empty = all_keys(client, TriageQuery().new_jql)
    assert not_in == [other]
    assert with_empty == [bare, other]


def test_the_default_queries_find_new_tickets_and_recent_follow_up_candidates(
    jira: FakeJira,
) -> None:
    now = datetime.now(UTC)
    new = jira.add_issue(summary=INCOMPLETE[0], created=now - timedelta(days=6))
    jira.add_issue(created=now - timedelta(days=8))  # too old to be new
    jira.add_issue(labels=["AI_ANALYZED"])  # done
    asked = jira.add_issue(
        labels=["AI_ANALYZED", "NEEDS_INFO"],
        created=now - timedelta(days=3),
        updated=now - timedelta(hours=2),
    )
    jira.add_issue(
        labels=["AI_ANALYZED", "NEEDS_INFO"],
        created=now - timedelta(days=5),
        updated=now - timedelta(days=2),  # nobody touched it since: not re-checked
    )
    with tracker_for(jira, Sleeps()) as client:
        found = JiraTracker(client).find_new(TriageQuery(), limit=50)
    assert [issue["key"] for issue in found] == [new, asked]


def test_the_new_ticket_query_follows_the_configured_label() -> None:
    query = TriageQuery(labels=TriageLabels(analysed="BOT_DONE"))
    assert 'labels not in ("BOT_DONE")' in query.new_jql
    assert TriageQuery(jql="project = OPS").new_jql == "project = OPS"
    with pytest.raises(ValueError, match="spaces"):
        TriageLabels(analysed="AI ANALYZED")


def test_find_new_stops_at_the_limit_per_query(jira: FakeJira) -> None:
    keys = [jira.add_issue() for _ in range(7)]
    with tracker_for(jira, Sleeps()) as client:
        found = JiraTracker(client).find_new(TriageQuery(), limit=5)
    assert [issue["key"] for issue in found] == keys[:5]


def test_another_tools_needs_info_label_is_left_alone(jira: FakeJira) -> None:
    jira.add_issue(labels=["NEEDS_INFO"], created=datetime.now(UTC) - timedelta(days=30))
    with tracker_for(jira, Sleeps()) as client:
        assert JiraTracker(client).find_new(TriageQuery(), limit=50) == []
