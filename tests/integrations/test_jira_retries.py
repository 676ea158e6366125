"""The Jira client's retries: 429 with Retry-After or reset, 5xx, dropped and slow
connections, and clear errors once retries are exhausted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fakes.jira_server import FakeJira
from jira_clients import START, Sleeps, all_keys, client_for, secrets_of

from ticket_analytics.integrations.jira import JiraError


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
