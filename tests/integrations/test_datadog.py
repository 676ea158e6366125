"""The Datadog client against a local fake intake: auth header, batching under the payload
limit, 429/5xx retried, refusals reported without the key, points too old left out."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from fakes.datadog_server import MAX_BODY_BYTES, FakeDatadog
from jira_clients import Sleeps

from ticket_analytics.integrations.datadog import (
    DatadogClient,
    DatadogError,
    DatadogSettings,
    MetricType,
    Series,
    api_url_for_site,
    fresh_points,
    payloads,
    tag,
)

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def datadog() -> Iterator[FakeDatadog]:
    with FakeDatadog() as fake:
        yield fake


def _client(fake: FakeDatadog, sleeps: Sleeps | None = None, **kwargs: object) -> DatadogClient:
    settings = DatadogSettings(api_key=fake.api_key, api_url=fake.url)
    return DatadogClient(settings, sleep=sleeps if sleeps is not None else Sleeps(), **kwargs)  # type: ignore[arg-type]


def _series(count: int, points: int = 55, prefix: str = "biz.events") -> list[Series]:
    start = int(NOW.timestamp()) - points * 60
    return [
        Series(
            prefix,
            MetricType.COUNT,
            tuple((start + 60 * i, float(i)) for i in range(points)),
            (tag("service", f"svc-{n}"), tag("event", "order.created")),
            interval=60,
        )
        for n in range(count)
    ]


def test_series_are_posted_with_the_key_header_and_land_as_points(datadog: FakeDatadog) -> None:
    with _client(datadog) as client:
        result = client.submit(_series(3, points=5))
    assert (result.requests, result.series, result.points, result.errors) == (1, 3, 15, ())
    (request,) = datadog.requests
    assert request.path == "/api/v2/series"
    assert request.headers["content-type"] == "application/json"
    assert request.body["series"][0]["type"] == 1 and request.body["series"][0]["interval"] == 60
    assert len(datadog.points) == 15


def test_many_series_are_split_into_bodies_under_the_intake_limit(datadog: FakeDatadog) -> None:
    series = _series(400)
    with _client(datadog) as client:
        result = client.submit(series)
    sizes = [r.size for r in datadog.requests]
    assert result.requests == len(sizes) > 1
    assert max(sizes) <= MAX_BODY_BYTES
    assert len(datadog.points) == 400 * 55


def test_a_series_too_big_for_one_body_is_split_by_its_points() -> None:
    (one,) = _series(1, points=2000)
    bodies = payloads([one], max_bytes=20_000)
    assert len(bodies) > 1
    assert all(len(orjson.dumps(b)) <= 20_000 for b in bodies)
    sent = [p["timestamp"] for b in bodies for s in b["series"] for p in s["points"]]
    assert sent == [ts for ts, _ in one.points]


def test_bodies_are_packed_full_rather_than_one_series_each() -> None:
    series = _series(50, points=10)
    single = len(orjson.dumps({"series": [series[0].body()]}))
    bodies = payloads(series, max_bytes=single * 10)
    assert len(bodies) == 5
    assert all(len(orjson.dumps(b)) <= single * 10 for b in bodies)


def test_rate_limits_and_server_errors_are_retried(datadog: FakeDatadog) -> None:
    datadog.rate_limit_next(1, retry_after=2)
    datadog.fail_next(1, status=502)
    sleeps = Sleeps()
    with _client(datadog, sleeps) as client:
        result = client.submit(_series(1, points=3))
    assert result.requests == 1 and len(datadog.points) == 3
    assert sleeps[0] == 2 and len(sleeps) == 2
    assert datadog.counters["requests"] == 3


def test_resending_a_window_replaces_its_points_instead_of_adding(datadog: FakeDatadog) -> None:
    (first,) = _series(1, points=3)
    corrected = Series(first.metric, first.type, ((first.points[-1][0], 9.0),), first.tags, 60)
    with _client(datadog) as client:
        client.submit([first])
        client.submit([corrected])
    assert len(datadog.points) == 3
    assert datadog.points[(first.metric, tuple(sorted(first.tags)), first.points[-1][0])] == 9.0


def test_a_wrong_key_fails_clearly_without_showing_it(
    datadog: FakeDatadog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = DatadogSettings(api_key="wrong-s3cr3t-key", api_url=datadog.url)
    with pytest.raises(DatadogError) as raised, DatadogClient(settings, sleep=Sleeps()) as client:
        client.submit(_series(1, points=1))
    message = str(raised.value)
    assert raised.value.status == 403 and "DATADOG_API_KEY" in message
    assert "wrong-s3cr3t-key" not in message + caplog.text + repr(settings) + repr(client)


def test_a_refused_body_names_the_intakes_reason(datadog: FakeDatadog) -> None:
    empty = Series("biz.events", MetricType.COUNT, ())
    with pytest.raises(DatadogError) as raised, _client(datadog) as client:
        client.submit([empty])
    assert raised.value.status == 400 and "points" in str(raised.value)
    assert datadog.counters["requests"] == 1  # a refusal is not retried


def test_points_older_than_an_hour_or_too_far_ahead_are_left_out() -> None:
    stamps = [NOW - timedelta(minutes=90), NOW - timedelta(minutes=30), NOW + timedelta(minutes=20)]
    one = Series("biz.events", MetricType.COUNT, tuple((int(t.timestamp()), 1.0) for t in stamps))
    kept, dropped = fresh_points([one], NOW)
    assert dropped == 2
    assert [p[0] for p in kept[0].points] == [int(stamps[1].timestamp())]
    assert fresh_points([Series("x", MetricType.GAUGE, ((0, 1.0),))], NOW) == ([], 1)


@pytest.mark.parametrize(
    ("site", "url"),
    [
        ("datadoghq.com", "https://api.datadoghq.com"),
        ("datadoghq.eu", "https://api.datadoghq.eu"),
        ("us5.datadoghq.com", "https://api.us5.datadoghq.com"),
        ("app.datadoghq.com", "https://api.datadoghq.com"),
        ("https://ap1.datadoghq.com/", "https://api.ap1.datadoghq.com"),
        ("", "https://api.datadoghq.com"),
    ],
)
def test_the_site_names_the_api_host(site: str, url: str) -> None:
    assert api_url_for_site(site) == url


def test_tags_are_lower_case_with_odd_characters_replaced() -> None:
    assert tag("service", "Order API") == "service:order_api"
    assert tag("event", "payment.failed") == "event:payment.failed"


def test_settings_need_a_key() -> None:
    with pytest.raises(ValueError, match="DATADOG_API_KEY"):
        DatadogSettings(api_key="")
