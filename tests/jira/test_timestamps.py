from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ticket_analytics.jira.timestamps import (
    format_jql_datetime,
    parse_jira_timestamp,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-11-03T14:05:00.000+0900", datetime(2025, 11, 3, 5, 5, tzinfo=UTC)),
        ("2022-12-08T02:22:18.889-0800", datetime(2022, 12, 8, 10, 22, 18, 889000, tzinfo=UTC)),
        ("2011-11-22T09:22:59.899+0100", datetime(2011, 11, 22, 8, 22, 59, 899000, tzinfo=UTC)),
        ("2025-11-03T14:05:00+0900", datetime(2025, 11, 3, 5, 5, tzinfo=UTC)),
        ("2025-11-03T14:05:00.000+09:00", datetime(2025, 11, 3, 5, 5, tzinfo=UTC)),
        ("2025-11-03T05:05:00Z", datetime(2025, 11, 3, 5, 5, tzinfo=UTC)),
        ("2025-11-03T05:05:00.123Z", datetime(2025, 11, 3, 5, 5, 0, 123000, tzinfo=UTC)),
        ("2025-11-03T14:05:00.123456+0900", datetime(2025, 11, 3, 5, 5, 0, 123456, tzinfo=UTC)),
        ("2025-11-03T14:05:00.123456789+09:00", datetime(2025, 11, 3, 5, 5, 0, 123456, tzinfo=UTC)),
        ("2025-11-03T05:30:00-0330", datetime(2025, 11, 3, 9, 0, tzinfo=UTC)),
    ],
)
def test_jira_timestamp_formats_parse_to_aware_utc(raw: str, expected: datetime) -> None:
    parsed = parse_jira_timestamp(raw)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)
    assert parsed.tzinfo is UTC


def test_positive_offset_early_morning_is_previous_utc_day() -> None:
    parsed = parse_jira_timestamp("2025-11-01T08:30:00.000+0900")
    assert parsed == datetime(2025, 10, 31, 23, 30, tzinfo=UTC)
    assert parsed.date() == date(2025, 10, 31)


def test_negative_offset_late_evening_is_next_utc_day() -> None:
    parsed = parse_jira_timestamp("2025-10-31T17:30:00.000-0700")
    assert parsed == datetime(2025, 11, 1, 0, 30, tzinfo=UTC)


def test_timestamp_without_offset_is_taken_as_utc() -> None:
    assert parse_jira_timestamp("2025-11-03T14:05:00.000") == datetime(
        2025, 11, 3, 14, 5, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        " ",
        "garbage",
        "2025-11-03",
        "2025-11-03 14:05:00+0900",
        " 2025-11-03T14:05:00+0900",
        "2025-11-03T14:05:00+0900 ",
        "2025-13-03T14:05:00.000+0900",
        "2025-02-30T14:05:00.000+0900",
        "2025-11-03T25:05:00.000+0900",
        "2025-11-03T14:05:00.000+09",
        "2025-11-03T14:05:00.000+2500",
        "20251103T140500Z",
        "0001-01-01T00:00:00.000+0100",
        "\uff12\uff10\uff12\uff15-11-03T14:05:00Z",  # full-width digits
    ],
)
def test_unparseable_timestamp_raises_value_error_quoting_it(bad: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_jira_timestamp(bad)
    assert repr(bad) in str(caught.value)


def test_non_string_timestamp_raises_value_error() -> None:
    with pytest.raises(ValueError, match="None"):
        parse_jira_timestamp(None)  # type: ignore[arg-type]


def test_jql_datetime_is_rendered_in_the_users_zone() -> None:
    moment = datetime(2025, 11, 3, 5, 5, tzinfo=UTC)
    assert format_jql_datetime(moment, "Asia/Seoul") == "2025/11/03 14:05"
    assert format_jql_datetime(moment, "UTC") == "2025/11/03 05:05"


def test_jql_datetime_crosses_the_date_line_in_seoul() -> None:
    moment = parse_jira_timestamp("2025-11-01T08:30:00.000+0900")
    assert format_jql_datetime(moment, "Asia/Seoul") == "2025/11/01 08:30"
    assert format_jql_datetime(moment, "America/Los_Angeles") == "2025/10/31 16:30"


def test_jql_datetime_truncates_seconds_instead_of_rounding() -> None:
    moment = datetime(2025, 11, 3, 5, 5, 59, 999999, tzinfo=UTC)
    assert format_jql_datetime(moment, "Asia/Seoul") == "2025/11/03 14:05"


def test_jql_datetime_accepts_any_aware_input_offset() -> None:
    moment = datetime(2025, 11, 3, 14, 5, tzinfo=timezone(timedelta(hours=9)))
    assert format_jql_datetime(moment, "America/Los_Angeles") == "2025/11/02 21:05"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Spring forward 2025-03-09: 02:00 PST becomes 03:00 PDT.
        (datetime(2025, 3, 9, 9, 59, tzinfo=UTC), "2025/03/09 01:59"),
        (datetime(2025, 3, 9, 10, 0, tzinfo=UTC), "2025/03/09 03:00"),
        # Fall back 2025-11-02: 01:30 happens twice, an hour apart in UTC.
        (datetime(2025, 11, 2, 8, 30, tzinfo=UTC), "2025/11/02 01:30"),
        (datetime(2025, 11, 2, 9, 30, tzinfo=UTC), "2025/11/02 01:30"),
        (datetime(2025, 11, 2, 10, 30, tzinfo=UTC), "2025/11/02 02:30"),
    ],
)
def test_jql_datetime_follows_los_angeles_dst(utc: datetime, expected: str) -> None:
    assert format_jql_datetime(utc, "America/Los_Angeles") == expected


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "America", "../etc/passwd", "seoul"])
def test_unknown_zone_raises_value_error_naming_it(zone: str) -> None:
    with pytest.raises(ValueError) as caught:
        format_jql_datetime(datetime(2025, 11, 3, tzinfo=UTC), zone)
    assert repr(zone) in str(caught.value)


def test_naive_moment_is_rejected_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_jql_datetime(datetime(2025, 11, 3, 5, 5), "Asia/Seoul")
