"""The Jira client against the local fake: flavour and auth, comments and labels, secrets."""

from __future__ import annotations

import logging

import pytest
from fakes.jira_server import FakeJira
from jira_clients import START, all_keys, client_for, secrets_of

from ticket_analytics.integrations.jira import JiraClient, JiraError, JiraSettings


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
