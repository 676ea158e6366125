from __future__ import annotations

import base64
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes.jira_server import FakeJira

from ticket_analytics.integrations.jira import (
    DC_RESULT_WINDOW,
    JiraClient,
    JiraError,
    JiraSettings,
)

START = datetime(2025, 10, 1, tzinfo=UTC)
ORDERED = 'project = OPS AND updated >= "2025/10/01 00:00" ORDER BY updated ASC, key ASC'


@pytest.fixture(params=["cloud", "datacenter"])
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, time_zone="Asia/Tokyo") as server:
        yield server


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud", time_zone="America/Los_Angeles") as server:
        yield server


@pytest.fixture
def dc() -> Iterator[FakeJira]:
    with FakeJira("datacenter", time_zone="Europe/Berlin") as server:
        yield server


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(fake: FakeJira, sleeps: Sleeps | None = None, **overrides: Any) -> JiraClient:
    settings = JiraSettings(**{**fake.settings_kwargs(), **overrides})
    return JiraClient(settings, sleep=sleeps if sleeps is not None else Sleeps())


def all_keys(client: JiraClient, jql: str = ORDERED, **kwargs: Any) -> list[str]:
    kwargs.setdefault("fields", ["summary", "updated"])
    return [issue["key"] for page in client.search(jql, **kwargs) for issue in page.issues]


def secrets_of(fake: FakeJira) -> list[str]:
    basic = base64.b64encode(f"{fake.email}:{fake.api_token}".encode()).decode()
    return [fake.email, fake.api_token, fake.pat, basic]


def test_auto_flavor_detection_and_auth_scheme(fake: FakeJira) -> None:
    with client_for(fake, flavor="auto") as client:
        assert client.flavor == fake.flavor
        assert client.profile_time_zone() == "Asia/Tokyo"
    expected = "Basic" if fake.flavor == "cloud" else "Bearer"
    assert [r.auth_scheme for r in fake.requests] == [expected, expected]
    assert fake.requests[0].path == "/rest/api/2/serverInfo"
    assert fake.requests[1].path == (
        "/rest/api/3/myself" if fake.flavor == "cloud" else "/rest/api/2/myself"
    )
    assert all("authorization" not in r.headers for r in fake.requests)


def test_profile_time_zone_falls_back_to_utc(fake: FakeJira) -> None:
    fake.time_zone = ""
    with client_for(fake) as client:
        assert client.profile_time_zone() == "UTC"


def test_wrong_credentials_fail_with_401_and_no_secret(fake: FakeJira) -> None:
    with (
        client_for(fake, api_token="wrong", pat="wrong", email="x@y.z") as client,
        pytest.raises(JiraError) as caught,
    ):
        client.myself()
    assert caught.value.status == 401
    assert "myself" in str(caught.value)
    assert "wrong" not in str(caught.value) and "x@y.z" not in str(caught.value)


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
    started = time.perf_counter()
    with client_for(big_dc) as client:
        keys = all_keys(client, jql, fields=["summary"], expand="", page_size=1000)
    assert time.perf_counter() - started < 5
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


def test_cloud_changelog_pages_past_100(cloud: FakeJira) -> None:
    key = cloud.add_issue(created=START, updated=START + timedelta(days=30), histories=230)
    with client_for(cloud) as client:
        assert len(client.issue_changelog(key)) == 230
    assert len(cloud.requests_to("/changelog")) == 3


def test_429_honours_retry_after(fake: FakeJira) -> None:
    fake.add_issue()
    fake.rate_limit_next(2, retry_after=3)
    sleeps = Sleeps()
    with client_for(fake, sleeps) as client:
        assert len(all_keys(client, "project = OPS")) == 1
        assert client.stats.rate_limited == 2 and client.stats.retries == 2
    assert sleeps == [3.0, 3.0]


@pytest.mark.parametrize(
    ("ahead", "cap", "low", "high"),
    [
        (timedelta(minutes=5), 600.0, 240.0, 300.0),
        (timedelta(hours=2), 900.0, 900.0, 900.0),
    ],
)
def test_429_honours_x_ratelimit_reset(
    cloud: FakeJira, ahead: timedelta, cap: float, low: float, high: float
) -> None:
    reset = (datetime.now(UTC) + ahead).strftime("%Y-%m-%dT%H:%MZ")
    cloud.rate_limit_next(1, retry_after=None, reset_header=reset)
    sleeps = Sleeps()
    with client_for(cloud, sleeps, retry_after_max_s=cap) as client:
        client.myself()
    assert len(sleeps) == 1 and low <= sleeps[0] <= high


def test_a_long_retry_after_is_honoured_beyond_the_backoff_cap(cloud: FakeJira) -> None:
    # Server hints have their own cap (retry_after_max_s, 600 s), not backoff_max_s (30 s):
    # waiting less than asked only burns retries on more 429s.
    cloud.rate_limit_next(2, retry_after=120)
    cloud.rate_limit_next(1, retry_after=3600)
    sleeps = Sleeps()
    with client_for(cloud, sleeps, backoff_max_s=30.0) as client:
        client.myself()
        assert client.stats.rate_limited == 3
    assert sleeps == [120.0, 120.0, 600.0]
    cloud.fail_next(3, status=500)
    backoff = Sleeps()
    with client_for(cloud, backoff, backoff_base_s=100.0, backoff_max_s=30.0) as client:
        client.myself()
    assert len(backoff) == 3 and all(0 <= s <= 30.0 for s in backoff)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_then_success(fake: FakeJira, status: int) -> None:
    fake.make_issues(30, start=START)
    fake.fail_next(3, status=status)
    sleeps = Sleeps()
    with client_for(fake, sleeps, backoff_base_s=0.5) as client:
        assert len(all_keys(client)) == 30
        assert client.stats.retries == 3
    # Full jitter: each wait lies in [0, base * 2**attempt).
    assert len(sleeps) == 3 and all(0 <= s <= 0.5 * 2**i for i, s in enumerate(sleeps))


def test_dropped_connection_then_success(fake: FakeJira) -> None:
    fake.make_issues(5, start=START)
    fake.drop_next(2)
    with client_for(fake) as client:
        assert len(all_keys(client)) == 5
        assert client.stats.retries == 2
    assert fake.counters["drop"] == 2


def test_timeout_then_success(cloud: FakeJira) -> None:
    cloud.slow_next(1, seconds=1.0)
    with client_for(cloud, timeout_s=0.2) as client:
        assert client.myself()["timeZone"] == "America/Los_Angeles"
        assert client.stats.retries == 1


def test_retries_exhausted_names_path_and_status(fake: FakeJira) -> None:
    fake.fail_next(10, status=503, path="/search")
    with client_for(fake, max_retries=3) as client, pytest.raises(JiraError) as caught:
        all_keys(client)
    path = "/rest/api/3/search/jql" if fake.flavor == "cloud" else "/rest/api/2/search"
    assert caught.value.status == 503 and caught.value.path == path
    assert path in str(caught.value) and "503" in str(caught.value)
    assert len(fake.requests_to("/search")) == 4
    assert not any(secret in str(caught.value) for secret in secrets_of(fake))


def test_transport_errors_exhausted_name_last_status(cloud: FakeJira) -> None:
    cloud.fail_next(1, status=502)
    cloud.drop_next(5)
    with client_for(cloud, max_retries=3) as client, pytest.raises(JiraError) as caught:
        client.myself()
    assert caught.value.status is None
    assert "GET /rest/api/3/myself" in str(caught.value) and "last status 502" in str(caught.value)


def test_400_surfaces_jira_error_messages_without_retry(fake: FakeJira) -> None:
    with client_for(fake) as client, pytest.raises(JiraError) as caught:
        all_keys(client, "project = OPS AND bogus = 1")
    assert caught.value.status == 400
    assert "Field 'bogus' does not exist" in str(caught.value)
    assert client.stats.requests == 1 and client.stats.retries == 0


def test_removed_search_endpoint_gives_a_clear_410(cloud: FakeJira) -> None:
    # A Cloud site misconfigured as Data Center hits the removed /rest/api/2/search.
    with client_for(cloud, flavor="datacenter") as client, pytest.raises(JiraError) as caught:
        client.count("project = OPS")
    assert caught.value.status == 410
    assert "CHANGE-2046" in str(caught.value) and "/rest/api/3/search/jql" in str(caught.value)


def test_cloud_search_lag_and_reconcile(cloud: FakeJira) -> None:
    cloud.search_lag_seconds = 60
    fresh = cloud.get(cloud.add_issue())
    with client_for(cloud) as client:
        assert all_keys(client, "project = OPS") == []
        found = all_keys(client, "project = OPS", reconcile_issue_ids=[fresh.id])
    assert found == [fresh.key]
    assert cloud.requests[-1].body["reconcileIssues"] == [fresh.id]


def test_add_comment_is_adf_on_cloud_and_text_on_dc(fake: FakeJira) -> None:
    key = fake.add_issue()
    with client_for(fake) as client:
        created = client.add_comment(key, "Triaged: database request.\nOwner: DBA team")
        comments = client.issue_comments(key)
    posted = fake.requests_to("/comment", "POST")[0]
    if fake.flavor == "cloud":
        assert posted.path == f"/rest/api/3/issue/{key}/comment"
        assert posted.body["body"]["type"] == "doc"
        assert (
            posted.body["body"]["content"][0]["content"][0]["text"] == "Triaged: database request."
        )
        assert created["body"]["type"] == "doc"
    else:
        assert posted.body == {"body": "Triaged: database request.\nOwner: DBA team"}
    assert [c["id"] for c in comments] == [created["id"]]


def test_issue_comments_page_through_all(fake: FakeJira) -> None:
    key = fake.add_issue(comments=[f"comment {n}" for n in range(230)])
    with client_for(fake) as client:
        comments = client.issue_comments(key)
    assert len(comments) == 230 and len(fake.requests_to("/comment")) == 3


def test_add_comment_is_not_retried_after_a_server_error(cloud: FakeJira) -> None:
    key = cloud.add_issue()
    cloud.fail_next(1, status=500, path="/comment")
    with client_for(cloud) as client, pytest.raises(JiraError):
        client.add_comment(key, "once")
    assert len(cloud.requests_to("/comment", "POST")) == 1
    cloud.rate_limit_next(1, retry_after=0, path="/comment")
    with client_for(cloud) as client:
        client.add_comment(key, "once")
    assert len(cloud.get(key).comments) == 1


def test_add_labels(fake: FakeJira) -> None:
    key = fake.add_issue(labels=["access"])
    with client_for(fake) as client:
        client.add_labels(key, ["triaged", "ai-classified"])
        with pytest.raises(ValueError, match="spaces"):
            client.add_labels(key, ["has space"])
    put = fake.requests_to(f"/issue/{key}", "PUT")[0]
    assert put.body == {"update": {"labels": [{"add": "triaged"}, {"add": "ai-classified"}]}}
    assert fake.get(key).labels == ["access", "triaged", "ai-classified"]


def test_secrets_never_in_errors_reprs_or_logs(
    fake: FakeJira, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.make_issues(3, start=START)
    fake.fail_next(2, status=503)
    fake.drop_next(1)
    errors: list[BaseException] = []
    with client_for(fake, max_retries=5) as client:
        all_keys(client)  # retries log warnings
        texts = [repr(client), repr(client._settings), str(client._settings)]
    with client_for(fake, max_retries=1, api_token="t0ps3cret", pat="t0ps3cret") as client:
        fake.fail_next(5, status=500)
        for call in (client.myself, lambda: client.add_labels("OPS-1", ["x"])):
            with pytest.raises(JiraError) as caught:
                call()
            errors.append(caught.value)
    with (
        JiraClient(
            JiraSettings(
                url="http://127.0.0.1:9",
                email=fake.email,
                pat=fake.pat,
                api_token=fake.api_token,
                max_retries=1,
            ),
            sleep=lambda _: None,
        ) as closed,
        pytest.raises(JiraError) as refused,
    ):
        closed.server_info()
    errors.append(refused.value)
    texts += [str(e) for e in errors] + [repr(e) for e in errors] + [caplog.text]
    assert "retry" in caplog.text
    for secret in [*secrets_of(fake), "t0ps3cret"]:
        assert not any(secret in text for text in texts), secret
    assert all(e.__cause__ is None for e in errors)


def test_settings_reject_credentials_in_url() -> None:
    with pytest.raises(ValueError) as caught:
        JiraSettings(url="https://me:hunter2@jira.example.com")
    assert "hunter2" not in str(caught.value)
