"""The Slack client against a local fake: webhook and Web API, Slack's errors, 429, secrecy."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fakes.slack_server import WEBHOOK_PATH, FakeSlack
from jira_clients import Sleeps
from publish.report_builders import hostile_report, make_report

from ticket_analytics.integrations.slack import SlackClient, SlackError, SlackSettings
from ticket_analytics.publish.slack_message import build_message

SECRET_PART = WEBHOOK_PATH.rsplit("/", 1)[1]


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _webhook(fake: FakeSlack, sleeps: Sleeps | None = None) -> SlackClient:
    return SlackClient(
        SlackSettings(webhook_url=fake.webhook_url),
        sleep=sleeps if sleeps is not None else Sleeps(),
    )


def _web_api(
    fake: FakeSlack, sleeps: Sleeps | None = None, token: str | None = None
) -> SlackClient:
    settings = SlackSettings(
        bot_token=token or fake.bot_token, channel="#ops", api_url=fake.api_url
    )
    return SlackClient(settings, sleep=sleeps if sleeps is not None else Sleeps())


def test_webhook_posts_the_block_kit_message(slack: FakeSlack) -> None:
    message = build_message(make_report())
    with _webhook(slack) as client:
        posted = client.post(message)
    assert posted.via == "webhook"
    assert slack.messages == [message]
    assert slack.requests[0].auth_scheme is None


def test_web_api_posts_with_bearer_token_and_channel(slack: FakeSlack) -> None:
    message = build_message(make_report())
    with _web_api(slack) as client:
        posted = client.post(message)
    assert posted.via == "web_api" and posted.channel == "C0FAKE" and posted.ts
    (request,) = slack.requests
    assert request.path == "/api/chat.postMessage" and request.auth_scheme == "Bearer"
    assert request.body == {"channel": "#ops", **message}
    assert request.headers["content-type"] == "application/json; charset=utf-8"


def test_web_api_ok_false_becomes_a_service_error(slack: FakeSlack) -> None:
    with _web_api(slack) as client, pytest.raises(SlackError) as failure:
        client.post(
            {
                "text": "x",
                "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            }
        )
    assert failure.value.status == 200
    assert "invalid_blocks" in str(failure.value) and "/blocks/0/text/text" in str(failure.value)
    assert "Slack POST /chat.postMessage" in str(failure.value)
    assert slack.messages == []


def test_web_api_bad_token_is_reported_without_the_token(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with _web_api(slack, token="xoxb-wrong-s3cr3t") as client, pytest.raises(SlackError) as failure:
        client.post(build_message(make_report()))
    assert "invalid_auth" in str(failure.value)
    for secret in ("xoxb-wrong-s3cr3t", slack.bot_token):
        assert secret not in str(failure.value) + caplog.text


@pytest.mark.parametrize("route", ["webhook", "web_api"])
def test_429_waits_as_long_as_slack_asks_and_posts_once(slack: FakeSlack, route: str) -> None:
    sleeps = Sleeps()
    slack.rate_limit_next(2, retry_after=30)
    client = _webhook(slack, sleeps) if route == "webhook" else _web_api(slack, sleeps)
    with client:
        client.post(build_message(make_report()))
        assert client.stats.rate_limited == 2
    assert sleeps == [30.0, 30.0] and len(slack.messages) == 1


@pytest.mark.parametrize("route", ["webhook", "web_api"])
def test_a_500_is_not_retried_since_slack_may_have_posted(slack: FakeSlack, route: str) -> None:
    slack.fail_next(1, status=500)
    client = _webhook(slack) if route == "webhook" else _web_api(slack)
    with client, pytest.raises(SlackError) as failure:
        client.post(build_message(make_report()))
    assert failure.value.status == 500 and slack.counters["requests"] == 1


def test_webhook_errors_and_logs_name_it_webhook_never_its_url(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.rate_limit_next(1, retry_after=0)
    with _webhook(slack) as client, pytest.raises(SlackError) as failure:
        client.post(
            {
                "text": "x",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}],
            }
        )
    assert failure.value.status == 400 and failure.value.path == "webhook"
    assert "invalid_blocks" in str(failure.value)
    settings = SlackSettings(webhook_url=slack.webhook_url)
    shown = " ".join([str(failure.value), caplog.text, repr(settings), repr(_webhook(slack))])
    assert SECRET_PART not in shown and WEBHOOK_PATH not in shown
    assert "HTTP Request: POST" in caplog.text  # httpx still logs the call, redacted


def test_unreachable_webhook_error_hides_the_url() -> None:
    settings = SlackSettings(webhook_url=f"http://127.0.0.1:9{WEBHOOK_PATH}", max_retries=0)
    with SlackClient(settings, sleep=Sleeps()) as client, pytest.raises(SlackError) as failure:
        client.post({"text": "x"})
    assert failure.value.status is None and SECRET_PART not in str(failure.value)


def test_hostile_report_is_accepted_by_slack_and_stays_inert(slack: FakeSlack) -> None:
    with _webhook(slack) as client:
        client.post(build_message(hostile_report()))
    (message,) = slack.messages
    assert "<!channel>" not in str(message) and "<@U123>" not in str(message)


def test_settings_need_a_webhook_or_a_token_and_channel() -> None:
    with pytest.raises(ValueError, match="SLACK_WEBHOOK_URL"):
        SlackSettings(bot_token="xoxb-1")
    with pytest.raises(ValueError) as failure:
        SlackSettings(webhook_url=f"hooks.slack.com{WEBHOOK_PATH}")
    assert SECRET_PART not in str(failure.value)
    assert "xoxb" not in repr(SlackSettings(bot_token="xoxb-1", channel="#ops"))
