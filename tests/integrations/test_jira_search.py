"""The Jira client's search: paging without loss or duplicates on both flavours, DC windows,
changelogs, Cloud search lag."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
from fakes.jira_server import FakeJira
from jira_clients import ORDERED, START, all_keys, client_for

from ticket_analytics.integrations import json_views
from ticket_analytics.integrations.jira import JiraClient, JiraError
from ticket_analytics.integrations.jira_paging import DC_RESULT_WINDOW


def test_paging_over_several_pages_without_loss_or_duplicates(fake: FakeJira) -> None:
    keys = fake.make_issues(250, start=START)
    with client_for(fake) as client:
        pages = list(client.search(ORDERED, fields=["summary", "updated"], page_size=100))
        assert client.stats.pages == len(pages) == 3
    got = [issue["key"] for page in pages for issue in page.issues]
    assert sorted(got) == sorted(keys) and len(set(got)) == len(got)
    assert pages[-1].is_last and not any(p.is_last for p in pages[:-1])
    updated = [issue["fields"]["updated"] for page in pages for issue in page.issues]
    assert [datetime.strptime(u, "%Y-%m-%dT%H:%M:%S.%f%z") for u in updated] == sorted(
        datetime.strptime(u, "%Y-%m-%dT%H:%M:%S.%f%z") for u in updated
    )
    if fake.flavor == "cloud":
        bodies = [r.body for r in fake.requests_to("/search/jql")]
        assert bodies[0]["expand"] == "changelog" and "nextPageToken" not in bodies[0]
        assert all(b.get("nextPageToken") for b in bodies[1:])
        assert pages[-1].next_page_token is None and pages[0].total is None
    else:
        bodies = [r.body for r in fake.requests_to("/rest/api/2/search")]
        # Later pages overlap the previous one by DC_OVERLAP issues to catch shifts.
        assert [b["startAt"] for b in bodies] == [0, 95, 190]
        assert bodies[0]["expand"] == ["changelog"] and pages[0].total == 250


def test_server_capped_page_size_is_followed(fake: FakeJira) -> None:
    fake.max_page_size = 40
    keys = fake.make_issues(130, start=START)
    with client_for(fake) as client:
        assert sorted(all_keys(client, page_size=100)) == sorted(keys)
    if fake.flavor == "datacenter":
        starts = [r.body["startAt"] for r in fake.requests_to("/rest/api/2/search")]
        assert starts == [0, 35, 70, 105]


def test_search_ids_and_count(fake: FakeJira) -> None:
    keys = fake.make_issues(120, start=START)
    with client_for(fake) as client:
        ids = list(client.search_ids("project = OPS"))
        assert client.count("project = OPS") == 120
    assert sorted(ids) == sorted(str(fake.get(k).id) for k in keys)
    if fake.flavor == "cloud":
        assert fake.requests_to("/search/jql")[0].body["fields"] == ["id"]
        assert fake.requests_to("/search/approximate-count")


@pytest.mark.parametrize("change", ["update", "delete"])
def test_dc_issue_changed_between_pages_is_neither_skipped_nor_stale(
    dc: FakeJira, change: str
) -> None:
    keys = dc.make_issues(250, start=START)
    changed = [issue.key for issue in dc.matching(ORDERED)[3:10]]

    def mutate(page_number: int) -> None:
        # Moves issues the client already has to the end (or removes them): later ones
        # shift left, which plain offset paging would turn into skipped issues.
        for key in changed if page_number == 1 else ():
            if change == "update":
                dc.update_issue(key, status="In Progress")
            else:
                dc.delete_issue(key)

    dc.on_page(mutate)
    with client_for(dc) as client:
        issues = [
            i
            for page in client.search(ORDERED, fields=["updated", "status"], page_size=100)
            for i in page.issues
        ]
    got = [issue["key"] for issue in issues]
    assert set(got) == set(keys)
    again = [issue for issue in issues[100:] if issue["key"] in changed]
    if change == "update":
        assert sorted(i["key"] for i in again) == sorted(changed)
        assert all(i["fields"]["status"]["name"] == "In Progress" for i in again)
    else:
        assert again == [] and len(got) == len(set(got))


def _walk(client: JiraClient) -> list[dict[str, Any]]:
    fields = ["updated", "status"]
    return [i for page in client.search(ORDERED, fields=fields, page_size=100) for i in page.issues]


def test_dc_bulk_edit_between_pages_restarts_the_walk_and_loses_nothing(dc: FakeJira) -> None:
    dc.make_issues(250, start=START)
    edited = [issue.key for issue in dc.matching(ORDERED)[:60]]

    def bulk_edit(page_number: int) -> None:
        # 60 read issues move to the end: the unread ones shift left by more than any
        # overlap re-read can see.
        for key in edited if page_number == 1 else ():
            dc.update_issue(key, status="In Progress")

    dc.on_page(bulk_edit)
    with client_for(dc) as client:
        issues = _walk(client)
    markers = [(i["id"], i["fields"]["updated"]) for i in issues]
    assert len(markers) == len(set(markers)), "an (id, updated) was yielded twice"
    latest = {i["id"]: i for i in issues}  # the caller keeps the last version of each id
    with dc.lock:
        truth = {str(i.id): i for i in dc._issues.values()}
    assert set(latest) == set(truth), f"{len(set(truth) - set(latest))} issues lost"
    assert all(
        latest[str(dc.get(k).id)]["fields"]["status"]["name"] == "In Progress" for k in edited
    )
    starts = [r.body["startAt"] for r in dc.requests_to("/rest/api/2/search")]
    assert starts.count(0) == 2, "the walk should have restarted once from startAt 0"


def test_dc_results_that_keep_shifting_fail_clearly(dc: FakeJira) -> None:
    dc.make_issues(250, start=START)

    def bulk_edit(_page_number: int) -> None:
        for issue in dc.matching(ORDERED)[:60]:
            dc.update_issue(issue.key, status="In Progress")

    dc.on_page(bulk_edit)
    with client_for(dc) as client, pytest.raises(JiraError) as caught:
        _walk(client)
    assert "shift" in str(caught.value) and "/rest/api/2/search" in str(caught.value)
    assert [r.body["startAt"] for r in dc.requests_to("/rest/api/2/search")].count(0) == 4


@pytest.fixture(scope="module")
def big_dc() -> Iterator[FakeJira]:
    # A zone far from UTC: windows formatted in the wrong zone would skip hours of issues.
    with FakeJira("datacenter", time_zone="America/New_York", seed=7) as server:
        server.make_issues(
            10_250, start=START, spacing=timedelta(minutes=3), histories=(0, 0), comments=(0, 0)
        )
        yield server


@pytest.mark.parametrize("jql", [ORDERED, "project = OPS ORDER BY key DESC", "project = OPS"])
def test_dc_over_10000_results_is_split_into_updated_windows(big_dc: FakeJira, jql: str) -> None:
    expected = {issue.key for issue in big_dc.matching(jql)}
    assert len(expected) > DC_RESULT_WINDOW
    before = len(big_dc.requests)
    with client_for(big_dc) as client:
        keys = all_keys(client, jql, fields=["summary"], expand="", page_size=1000)
    assert len(keys) == len(set(keys)) and set(keys) == expected
    sent = [r.body for r in big_dc.requests[before:] if r.path == "/rest/api/2/search"]
    assert all(body["startAt"] < DC_RESULT_WINDOW for body in sent)
    windows = [body["jql"] for body in sent if ') AND updated >= "' in body["jql"]]
    window = re.compile(
        r'\(project = OPS[^)]*\) AND updated >= "\d{4}/\d\d/\d\d \d\d:\d\d" '
        r"ORDER BY updated ASC, key ASC"
    )
    assert windows and all(window.fullmatch(w) for w in windows)


def test_dc_startat_past_window_is_a_400_in_the_fake(dc: FakeJira) -> None:
    dc.max_result_window = 50
    dc.make_issues(60, start=START)
    with client_for(dc) as client, pytest.raises(JiraError) as caught:
        client._send("POST", "/rest/api/2/search", body={"jql": "project = OPS", "startAt": 50})
    assert caught.value.status == 400 and "Search limit exceeded" in str(caught.value)


def test_truncated_embedded_changelog_is_completed_by_issue_changelog(fake: FakeJira) -> None:
    key = fake.add_issue(created=START, updated=START + timedelta(days=9), histories=45)
    with client_for(fake) as client:
        (page,) = list(client.search("project = OPS", fields=["updated"]))
        embedded = page.issues[0]["changelog"]
        full = client.issue_changelog(key)
    if fake.flavor == "cloud":
        assert embedded["total"] == 45 and len(embedded["histories"]) == 20
        assert fake.requests_to(f"/rest/api/3/issue/{key}/changelog")
    else:
        assert len(embedded["histories"]) == 45
    assert len(full) == 45
    assert [int(h["id"]) for h in full] == sorted(int(h["id"]) for h in full)


def test_views_of_every_page_stay_valid_while_later_pages_are_parsed(
    fake: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parsers are reused once a page is done with; pages still in use must keep theirs.
    keys = fake.make_issues(180, start=START)
    with client_for(fake) as client:
        pages = list(client.search(ORDERED, fields=["summary"], page_size=20, views=True))
        assert len(pages) >= 9 > json_views.PARSERS_PER_THREAD
        got = [issue["key"] for page in pages for issue in page.issues]
        summaries = {issue["key"]: issue["fields"]["summary"] for p in pages for issue in p.issues}
        assert len(json_views._parsers.kept) == json_views.PARSERS_PER_THREAD
        del pages
        made = []
        monkeypatch.setattr(json_views.simdjson, "Parser", lambda: made.append(1))
        again = [
            issue["key"]
            for page in client.search(ORDERED, fields=["summary"], page_size=20, views=True)
            for issue in page.issues
        ]
        assert again == got and not made  # one page at a time: the kept parsers did it all
    assert sorted(got) == sorted(keys)
    assert summaries == {key: fake.get(key).summary for key in keys}


def test_changelog_and_comments_as_views_equal_the_dicts(fake: FakeJira) -> None:
    key = fake.add_issue(
        created=START,
        updated=START + timedelta(days=9),
        histories=130,
        comments=[f"comment {i}" for i in range(120)],
    )
    with client_for(fake) as client:
        histories = client.issue_changelog(key, views=True)
        comments = client.issue_comments(key, views=True)
        assert [h.as_dict() for h in histories] == client.issue_changelog(key)
        assert [c.as_dict() for c in comments] == client.issue_comments(key)
    assert len(histories) == 130 and len(comments) == 120


def test_cloud_changelog_pages_past_100(cloud: FakeJira) -> None:
    key = cloud.add_issue(created=START, updated=START + timedelta(days=30), histories=230)
    with client_for(cloud) as client:
        assert len(client.issue_changelog(key)) == 230
    assert len(cloud.requests_to("/changelog")) == 3


def test_cloud_search_lag_and_reconcile(cloud: FakeJira) -> None:
    cloud.search_lag_seconds = 60
    fresh = cloud.get(cloud.add_issue())
    with client_for(cloud) as client:
        assert all_keys(client, "project = OPS") == []
        found = all_keys(client, "project = OPS", reconcile_issue_ids=[fresh.id])
    assert found == [fresh.key]
    assert cloud.requests[-1].body["reconcileIssues"] == [fresh.id]


def test_removed_search_endpoint_gives_a_clear_410(cloud: FakeJira) -> None:
    # A Cloud site misconfigured as Data Center hits the removed /rest/api/2/search.
    with client_for(cloud, flavor="datacenter") as client, pytest.raises(JiraError) as caught:
        client.count("project = OPS")
    assert caught.value.status == 410
    assert "CHANGE-2046" in str(caught.value) and "/rest/api/3/search/jql" in str(caught.value)


class _Parsed(dict[str, Any]):
    """A parsed response that can be watched with a weak reference."""


def test_a_page_let_go_of_is_not_held_while_the_next_one_downloads(
    fake: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At Jira's weight a page is megabytes of parsed JSON: once the caller has turned it into
    rows and dropped it, the search must not keep it alive during the next request."""
    fake.make_issues(250, start=START)
    issues: list[weakref.ref[_Parsed]] = []
    held_during_download: list[int] = []

    def loads(views: bool) -> Callable[[bytes], Any]:
        def parse(body: bytes) -> Any:
            # a search page's body has arrived: every issue handed over before is gone by now
            held_during_download.append(sum(ref() is not None for ref in issues))
            page = orjson.loads(body)
            page["issues"] = [_Parsed(issue) for issue in page.get("issues", [])]
            return _Parsed(page)

        return parse

    monkeypatch.setattr("ticket_analytics.integrations.jira.json_loads", loads)
    with client_for(fake) as client:
        for page in client.search(ORDERED, fields=["updated"], page_size=100):
            issues.extend(weakref.ref(issue) for issue in page.issues)
            del page
    assert len(issues) >= 250 and len(held_during_download) >= 3
    assert held_during_download == [0] * len(held_during_download)
