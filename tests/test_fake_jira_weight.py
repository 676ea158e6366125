"""The heavy fake Jira (``weight="jira"``) serves what real Jira serves for ``fields=*all`` and
``expand=changelog``, and the real sync loses nothing of it."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import httpx
import orjson
import pytest
from fakes.jira_data import RichText
from fakes.jira_render_heavy import SYSTEM_FIELDS
from fakes.jira_server import FakeJira

from ticket_analytics.ingest.jira_sync import SyncOptions, sync_jira
from ticket_analytics.integrations.jira import JiraClient, JiraSettings
from ticket_analytics.jira.adf import adf_to_text
from ticket_analytics.warehouse.connection import connect

START = datetime(2025, 6, 1, tzinfo=UTC)
# Bytes per issue of the captured samples (/work/shared/reference/samples/jira): a Cloud issue
# with no comments or histories is 8.6 KB minified, the fully expanded Data Center one 131 KB.
SAMPLE_RANGE = (8_000, 131_000)
SEARCH = {"jql": "project = OPS ORDER BY key ASC", "fields": ["*all"], "expand": "changelog"}


@pytest.fixture(scope="module")
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud", weight="jira", seed=11) as fake:
        fake.make_issues(300, START, spacing=timedelta(minutes=41))
        yield fake


def _http(fake: FakeJira) -> httpx.Client:
    auth = (fake.email, fake.api_token) if fake.flavor == "cloud" else None
    headers = {} if auth else {"Authorization": f"Bearer {fake.pat}"}
    return httpx.Client(base_url=fake.url, auth=auth, headers=headers, timeout=30)


def _cloud_pages(fake: FakeJira) -> Iterator[bytes]:
    body: dict[str, Any] = {**SEARCH, "maxResults": 100}
    with _http(fake) as http:
        while True:
            reply = http.post("/rest/api/3/search/jql", json=body)
            reply.raise_for_status()
            yield reply.content
            page = orjson.loads(reply.content)
            if page["isLast"]:
                return
            body["nextPageToken"] = page["nextPageToken"]


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for child in node.get("content") or []:
            yield from _nodes(child)


def test_heavy_cloud_search_pages_carry_what_jira_sends_at_jira_sizes(cloud: FakeJira) -> None:
    pages = list(_cloud_pages(cloud))
    issues = [issue for page in pages for issue in orjson.loads(page)["issues"]]
    assert len(issues) == 300
    sizes = [len(orjson.dumps(issue)) for issue in issues]
    assert SAMPLE_RANGE[0] <= min(sizes) and max(sizes) <= SAMPLE_RANGE[1]
    assert 25_000 <= statistics.fmean(sizes) <= 70_000

    fields = issues[0]["fields"]
    assert set(SYSTEM_FIELDS) <= set(fields)
    assert sum(name.startswith("customfield_") for name in fields) >= 50
    reporter = fields["reporter"]
    assert {"accountId", "emailAddress", "displayName", "timeZone", "accountType"} <= set(reporter)
    assert set(reporter["avatarUrls"]) == {"48x48", "24x24", "16x16", "32x32"}

    kinds = {n["type"] for i in issues for n in _nodes(i["fields"]["description"])}
    assert {"heading", "bulletList", "orderedList", "codeBlock", "mention", "hardBreak"} <= kinds
    marks = {
        mark["type"]
        for i in issues
        for n in _nodes(i["fields"]["description"])
        for mark in n.get("marks", [])
    }
    assert marks == {"strong", "em", "code", "link"}

    changelogs = [i["changelog"] for i in issues]
    comments = [i["fields"]["comment"] for i in issues]
    assert all(len(c["histories"]) == min(c["total"], 20) for c in changelogs)
    assert all(len(c["comments"]) == min(c["total"], 20) for c in comments)
    over = sum(
        c["total"] > 20 or m["total"] > 20 for c, m in zip(changelogs, comments, strict=True)
    )
    assert 0.05 <= over / len(issues) <= 0.2  # these need /changelog or /comment calls
    histories = [h for c in changelogs for h in c["histories"]]
    assert max(len(h["items"]) for h in histories) >= 3
    assert {item["field"] for h in histories for item in h["items"]} >= {
        "status",
        "assignee",
        "Sprint",
    }
    assert all("avatarUrls" in h["author"] for h in histories)


def test_truncated_histories_and_comments_page_in_full_with_the_same_weight(
    cloud: FakeJira,
) -> None:
    with cloud.lock:
        busy = next(i for i in cloud._issues.values() if len(i.histories) > 20)
        chatty = next(i for i in cloud._issues.values() if len(i.comments) > 20)
    with _http(cloud) as http:
        histories = http.get(f"/rest/api/3/issue/{busy.key}/changelog", params={"maxResults": 100})
        comments = http.get(f"/rest/api/3/issue/{chatty.key}/comment")
    page = histories.json()
    assert page["total"] == len(page["values"]) == len(busy.histories)
    assert [h["id"] for h in page["values"]] == [str(h.id) for h in busy.histories]
    assert all("avatarUrls" in h["author"] for h in page["values"])
    listed = comments.json()["comments"]
    assert [c["id"] for c in listed] == [str(c.id) for c in chatty.comments]
    assert all(c["body"]["type"] == "doc" and "avatarUrls" in c["author"] for c in listed)


def test_a_heavy_issue_is_rendered_again_after_it_changes() -> None:
    with FakeJira("cloud", weight="jira", seed=14) as fake:
        fake.make_issues(10, START)
        key = "OPS-7"
        before = orjson.loads(_one(fake, key))
        fake.update_issue(key, status="In Progress", labels=["k8s"])
        fake.add_comment(key, "checked again", author="bob")
        after = orjson.loads(_one(fake, key))
    assert after["fields"]["status"]["name"] == "In Progress"
    assert after["fields"]["labels"] == ["k8s"]
    assert after["fields"]["comment"]["total"] == before["fields"]["comment"]["total"] + 1
    assert after["changelog"]["total"] == before["changelog"]["total"] + 1


def _one(fake: FakeJira, key: str) -> bytes:
    body = {**SEARCH, "jql": f"key = {key}"}
    with _http(fake) as http:
        page = orjson.loads(http.post("/rest/api/3/search/jql", json=body).content)
    return orjson.dumps(page["issues"][0])


def test_heavy_data_center_issues_have_wiki_bodies_named_users_and_every_history() -> None:
    with FakeJira("datacenter", weight="jira", seed=12) as fake:
        fake.make_issues(120, START)
        body = {**SEARCH, "maxResults": 200}
        with _http(fake) as http:
            page = http.post("/rest/api/2/search", json=body).json()
        stored = {str(i.id): i for i in fake._issues.values()}
    issues = page["issues"]
    assert page["total"] == len(issues) == 120
    for issue in issues:
        truth = stored[issue["id"]]
        fields = issue["fields"]
        assert isinstance(truth.rich_description, RichText)
        assert fields["description"] == truth.rich_description.wiki
        assert {"name", "key", "emailAddress", "avatarUrls"} <= set(fields["reporter"])
        assert "accountId" not in fields["reporter"]
        assert issue["changelog"]["total"] == len(issue["changelog"]["histories"])
        assert fields["comment"]["total"] == len(fields["comment"]["comments"])
        assert all(isinstance(c["body"], str) for c in fields["comment"]["comments"])
    assert any("{code:" in i["fields"]["description"] for i in issues)
    assert any(i["changelog"]["total"] > 20 for i in issues)


def _stored_truth(fake: FakeJira) -> dict[str, Any]:
    api = 3 if fake.flavor == "cloud" else 2
    with fake.lock:
        issues = list(fake._issues.values())
    return {
        str(i.id): (
            len(i.histories),
            len(i.comments),
            adf_to_text(_body(i.rich_description, api)),
            sorted(adf_to_text(_body(c.body, api)) for c in i.comments),
            [(h.items[0][2], h.items[0][4]) for h in i.histories if h.items[0][0] == "status"],
        )
        for i in issues
    }


def _body(body: Any, api: int) -> Any:
    if isinstance(body, RichText):
        return body.adf if api == 3 else body.wiki
    return body


def _warehouse_truth(path: Path) -> dict[str, Any]:
    with duckdb.connect(str(path), read_only=True) as conn:
        issues = conn.execute(
            "select issue_id, description_text from raw.issues where deleted_at is null"
        ).fetchall()
        histories = conn.execute(
            "select issue_id, payload from raw.changelog order by issue_id, created_at, history_id::int"
        ).fetchall()
        comments = conn.execute("select issue_id, body_text from raw.comments").fetchall()
    out: dict[str, Any] = {}
    for issue_id, description in issues:
        own = [orjson.loads(p) for i, p in histories if i == issue_id]
        status = [
            (item["fromString"], item["toString"])
            for h in own
            for item in h["items"][:1]
            if item["field"] == "status"
        ]
        texts = sorted(text for i, text in comments if i == issue_id)
        out[issue_id] = (len(own), len(texts), description, texts, status)
    return out


@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
def test_a_sync_from_a_heavy_fake_loses_no_issue_history_or_comment(
    flavor: str, tmp_path: Path
) -> None:
    with FakeJira(flavor, weight="jira", time_zone="Europe/Berlin", seed=13) as fake:
        fake.make_issues(250, START, spacing=timedelta(minutes=53))
        settings = JiraSettings(**fake.settings_kwargs(), backoff_base_s=0.0)
        with JiraClient(settings, sleep=lambda _s: None) as client:
            stats = sync_jira(
                client, partial(connect, tmp_path / "w.duckdb"), SyncOptions(scope="project = OPS")
            )
        truth = _stored_truth(fake)
    assert stats.inserted == 250 and stats.rejected == 0
    if flavor == "cloud":
        assert stats.changelog_fetches > 0 and stats.comment_fetches > 0
    assert _warehouse_truth(tmp_path / "w.duckdb") == truth
