"""The Confluence v2 client against a local fake: create, update in place, conflicts, 429."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fakes.confluence_server import FakeConfluence
from jira_clients import Sleeps
from publish.report_builders import hostile_report, make_report

from ticket_analytics.integrations.confluence import (
    ConfluenceClient,
    ConfluenceError,
    ConfluenceSettings,
    publish_page,
)
from ticket_analytics.publish.monthly_page import render_storage

TITLE = "Ops Monthly Report 2025-10"


@pytest.fixture
def confluence() -> Iterator[FakeConfluence]:
    with FakeConfluence(spaces={"OPS": "65537", "OTHER": "65538"}) as fake:
        yield fake


def _client(
    fake: FakeConfluence, sleeps: Sleeps | None = None, **overrides: Any
) -> ConfluenceClient:
    settings = ConfluenceSettings(**{**fake.settings_kwargs(), **overrides})
    return ConfluenceClient(settings, sleep=sleeps if sleeps is not None else Sleeps())


def _secrets(fake: FakeConfluence) -> list[str]:
    basic = base64.b64encode(f"{fake.email}:{fake.api_token}".encode()).decode()
    return [fake.api_token, basic]


def test_first_publish_creates_the_page_under_its_parent(confluence: FakeConfluence) -> None:
    body = render_storage(make_report())
    with _client(confluence) as client:
        published = publish_page(client, "OPS", TITLE, body, parent_id="4242")
    assert published.created and not published.unchanged and published.version == 1
    assert (
        published.url
        == f"{confluence.url}/wiki/spaces/OPS/pages/{published.id}/Ops+Monthly+Report+2025-10"
    )
    (create,) = confluence.requests_to("/wiki/api/v2/pages", "POST")
    assert create.body == {
        "spaceId": "65537",
        "status": "current",
        "title": TITLE,
        "parentId": "4242",
        "body": {"representation": "storage", "value": body},
    }
    assert create.auth_scheme == "Basic"


def test_second_publish_updates_in_place_as_version_two(confluence: FakeConfluence) -> None:
    with _client(confluence) as client:
        first = publish_page(client, "OPS", TITLE, render_storage(make_report()), None)
        second = publish_page(client, "OPS", TITLE, render_storage(make_report("ko")), None)
    assert not second.created and second.id == first.id and second.version == 2
    assert len(confluence.pages_titled(TITLE)) == 1
    (update,) = confluence.requests_to(f"/pages/{first.id}", "PUT")
    assert update.body["version"]["number"] == 2 and update.body["id"] == first.id
    assert "요약" in confluence.pages[first.id].body


def test_identical_body_is_left_alone(confluence: FakeConfluence) -> None:
    body = render_storage(make_report())
    with _client(confluence) as client:
        publish_page(client, "OPS", TITLE, body)
        again = publish_page(client, "OPS", TITLE, body)
    assert again.unchanged and again.version == 1
    assert confluence.requests_to("/pages/", "PUT") == []


def test_own_fingerprint_in_the_version_message_counts_as_unchanged(
    confluence: FakeConfluence,
) -> None:
    body = render_storage(make_report())
    with _client(confluence) as client:
        publish_page(client, "OPS", TITLE, "<p>old</p>")
        publish_page(client, "OPS", TITLE, body)
        (page,) = confluence.pages_titled(TITLE)
        page.body = body.replace("<p>", "<p >")  # as if Confluence normalised the XHTML
        again = publish_page(client, "OPS", TITLE, body)
    assert again.unchanged and again.version == 2


def test_version_conflict_is_re_read_and_retried_once(confluence: FakeConfluence) -> None:
    with _client(confluence) as client:
        publish_page(client, "OPS", TITLE, "<p>v1</p>")
        confluence.conflict_next(1)  # someone saves version 2 just before our PUT
        result = publish_page(client, "OPS", TITLE, "<p>ours</p>")
    assert result.version == 3 and not result.unchanged
    puts = confluence.requests_to("/pages/", "PUT")
    assert [p.body["version"]["number"] for p in puts] == [2, 3]
    assert confluence.counters["conflicts"] == 1
    (page,) = confluence.pages_titled(TITLE)
    assert page.body == "<p>ours</p>"


def test_a_second_conflict_fails_clearly_instead_of_looping(confluence: FakeConfluence) -> None:
    with _client(confluence) as client:
        publish_page(client, "OPS", TITLE, "<p>v1</p>")
        confluence.conflict_next(2)
        with pytest.raises(ConfluenceError) as failure:
            publish_page(client, "OPS", TITLE, "<p>ours</p>")
    assert failure.value.status == 409 and "PUT" in str(failure.value)
    assert len(confluence.requests_to("/pages/", "PUT")) == 2


def test_429_is_honoured_with_retry_after(confluence: FakeConfluence) -> None:
    sleeps = Sleeps()
    confluence.rate_limit_next(2, retry_after=7, path="/spaces")
    with _client(confluence, sleeps) as client:
        published = publish_page(client, "OPS", TITLE, "<p>x</p>")
        assert client.stats.rate_limited == 2
    assert sleeps == [7.0, 7.0] and published.created


def test_a_500_on_create_is_not_repeated_so_no_duplicate_page(confluence: FakeConfluence) -> None:
    with _client(confluence) as client:
        assert client.find_page("OPS", TITLE) is None
        confluence.fail_next(1, status=500, path="/wiki/api/v2/pages")
        with pytest.raises(ConfluenceError) as failure:
            client.create_page("OPS", TITLE, "<p>x</p>")
    # the server may have created it before failing: only a later find-by-title may tell
    assert failure.value.status == 500
    assert len(confluence.requests_to("/wiki/api/v2/pages", "POST")) == 1


def test_reads_are_retried_past_a_500(confluence: FakeConfluence) -> None:
    sleeps = Sleeps()
    confluence.fail_next(2, status=500, path="/wiki/api/v2/pages")
    with _client(confluence, sleeps) as client:
        assert publish_page(client, "OPS", TITLE, "<p>x</p>").created
    assert len(sleeps) == 2


def test_a_page_created_meanwhile_by_someone_else_is_updated_not_duplicated(
    confluence: FakeConfluence,
) -> None:
    with _client(confluence) as client:
        assert client.find_page("OPS", TITLE) is None
        confluence.add_page("OPS", TITLE, "<p>theirs</p>")
        assert client.create_page("OPS", TITLE, "<p>ours</p>") is None  # title taken
        published = publish_page(client, "OPS", TITLE, "<p>ours</p>")
    assert published.version == 2 and len(confluence.pages_titled(TITLE)) == 1


def test_a_page_titled_in_another_case_is_updated_and_takes_our_title(
    confluence: FakeConfluence,
) -> None:
    """Titles are unique whatever their case, but the title filter is exact: the create is
    refused, and CQL finds the page, which is then updated in place."""
    theirs = confluence.add_page("OPS", TITLE.upper(), "<p>theirs</p>")
    confluence.add_page("OPS", f'{TITLE} "draft"', "<p>another page</p>")
    with _client(confluence) as client:
        published = publish_page(client, "OPS", TITLE, "<p>ours</p>")
    assert (published.id, published.version, published.created) == (theirs.id, 2, False)
    assert [p.id for p in confluence.pages_titled(TITLE)] == [theirs.id]


def test_same_title_in_another_space_is_another_page(confluence: FakeConfluence) -> None:
    with _client(confluence) as client:
        a = publish_page(client, "OPS", TITLE, "<p>a</p>")
        b = publish_page(client, "OTHER", TITLE, "<p>b</p>")
    assert a.id != b.id and a.created and b.created


def test_hostile_report_is_accepted_as_well_formed_storage(confluence: FakeConfluence) -> None:
    with _client(confluence) as client:
        published = publish_page(client, "OPS", TITLE, render_storage(hostile_report()))
    assert published.created


def test_malformed_storage_is_refused_with_confluences_message(confluence: FakeConfluence) -> None:
    with _client(confluence) as client, pytest.raises(ConfluenceError) as failure:
        publish_page(client, "OPS", TITLE, "<p>unclosed")
    assert failure.value.status == 400 and "Error parsing xhtml" in str(failure.value)


def test_unknown_space_is_a_clear_error(confluence: FakeConfluence) -> None:
    with _client(confluence) as client, pytest.raises(ConfluenceError, match="NOPE"):
        publish_page(client, "NOPE", TITLE, "<p>x</p>")


def test_credentials_never_appear_in_errors_logs_or_reprs(
    confluence: FakeConfluence, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    confluence.rate_limit_next(1, retry_after=0)
    with (
        _client(confluence, api_token="wrong-token-abcdef") as client,
        pytest.raises(ConfluenceError) as failure,
    ):
        publish_page(client, "OPS", TITLE, "<p>x</p>")
    assert failure.value.status == 401 and "CONFLUENCE_API_TOKEN" in str(failure.value)
    settings = ConfluenceSettings(**confluence.settings_kwargs())
    shown = " ".join([str(failure.value), caplog.text, repr(settings), str(settings)])
    for secret in [*_secrets(confluence), "wrong-token-abcdef"]:
        assert secret not in shown
    assert all(r.auth_scheme in ("Basic", None) for r in confluence.requests)


def test_settings_refuse_credentials_in_the_url() -> None:
    with pytest.raises(ValueError) as failure:
        ConfluenceSettings(url="https://me:pw@x.atlassian.net", email="a", api_token="b")
    assert "pw" not in str(failure.value)
