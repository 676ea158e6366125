"""Marker lines of both styles become events; broken ones become counted rejects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from ticket_analytics.bizlogs import BizLogConfig, ingest_logs
from ticket_analytics.warehouse.connection import connect

LOG = "\n".join(
    [
        "2025-10-01T09:00:00.123+09:00 INFO [main] GET /health 200",
        '2025-10-01T09:00:01+09:00 INFO [order-api] BIZ_METRIC event=order.created service=order-api value=12000 unit=KRW status=ok region="ap northeast 2" note="say \\"hi\\" twice"',
        '{"ts":"2025-10-01T00:00:03Z","level":"info","service":"payment-api","biz":{"event":"payment.succeeded","value":49000,"unit":"KRW","method":"card"}}',
        "2025-10-01 00:00:04,500 WARN web - BIZ_METRIC event=checkout.latency value=321.5 unit=ms",
        '10.0.0.1 - - [01/Oct/2025:09:00:05 +0900] "GET /cart HTTP/1.1" 200 BIZ_METRIC event=cart.viewed',
        '{"ts":"2025-10-01T00:00:06Z","level":"info","biz":{"event":"payment.fail',
        "2025-10-01T00:00:07Z BIZ_METRIC value=3 unit=KRW",
        "2025-10-01T00:00:08Z BIZ_METRIC event=order.created value=12,000원",
        '2025-10-01T00:00:09Z BIZ_METRIC event=order.created note="cut off',
        "2025-10-01T00:00:10Z BIZ_METRIC event=nodots value=1",
        "BIZ_METRIC event=order.created value=1",
        "",
    ]
)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(tmp_path / "w.duckdb") as connection:
        yield connection


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_both_marker_styles_become_events_with_fields_tags_and_utc_times(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    stats = ingest_logs(conn, _write(tmp_path / "app.log", LOG))
    rows = conn.sql(
        "select line_number, event, ts, service, value, unit, status, tags, marker_style,"
        " ts_from_line from raw.biz_events order by line_number"
    ).fetchall()
    assert [r[0] for r in rows] == [2, 3, 4, 5]
    order, payment, latency, cart = rows
    assert order[1:7] == (
        "order.created",
        datetime(2025, 10, 1, 0, 0, 1, tzinfo=UTC),
        "order-api",
        12000.0,
        "KRW",
        "ok",
    )
    assert order[7] == {"region": "ap northeast 2", "note": 'say "hi" twice'}
    assert (order[8], order[9]) == ("text", True)
    assert payment[1:4] == (
        "payment.succeeded",
        datetime(2025, 10, 1, 0, 0, 3, tzinfo=UTC),
        "payment-api",
    )
    assert (payment[7], payment[8], payment[9]) == ({"method": "card"}, "json", False)
    assert latency[2] == datetime(2025, 10, 1, 0, 0, 4, 500000, tzinfo=UTC)
    assert cart[2] == datetime(2025, 10, 1, 0, 0, 5, tzinfo=UTC)
    assert stats.events == 4 and stats.marker_lines == 10 and stats.lines_read == 11


def test_broken_marker_lines_are_counted_with_reason_line_and_sample(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    stats = ingest_logs(conn, _write(tmp_path / "app.log", LOG))
    rejects = conn.sql(
        "select line_number, reason, sample, source_file from raw.biz_event_rejects order by 1"
    ).fetchall()
    assert [(r[0], r[1]) for r in rejects] == [
        (6, "invalid_json"),
        (7, "missing_event"),
        (8, "non_numeric_value"),
        (9, "unterminated_quote"),
        (10, "invalid_event"),
        (11, "missing_ts"),
    ]
    assert rejects[0][2].startswith('{"ts":"2025-10-01T00:00:06Z"')
    assert rejects[0][3] == str(tmp_path / "app.log")
    assert stats.rejects == 6 and stats.rejects_by_reason["invalid_json"] == 1


def test_configured_tag_keys_are_hashed_or_dropped_and_busy_tags_leave_the_dimensions(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    lines = [
        f"2025-10-01T00:{i // 60:02d}:{i % 60:02d}Z BIZ_METRIC event=order.created"
        f" user_id=u{i % 7} email=p{i}@example.com session=s{i} channel=app"
        for i in range(30)
    ]
    config = BizLogConfig(hash_keys=("user_id",), drop_keys=("email",), max_distinct_per_hour=10)
    stats = ingest_logs(conn, _write(tmp_path / "a.log", "\n".join(lines) + "\n"), config)
    tags = conn.sql("select tags from raw.biz_events order by line_number limit 1").fetchall()[0][0]
    assert set(tags) == {"user_id", "session", "channel"}
    assert tags["user_id"].startswith("sha256:") and "u0" not in tags["user_id"]
    assert stats.excluded_tags == ("session", "user_id")
    flags = dict(conn.sql("select tag_key, is_dimension from meta.biz_tag_cardinality").fetchall())
    assert flags == {"channel": True, "session": False, "user_id": False}


def test_a_marker_line_with_bytes_that_are_not_utf8_is_still_read(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(
        b"2025-10-01T00:00:00Z noise \xff\xfe\n"
        b"2025-10-01T00:00:01Z BIZ_METRIC event=order.created note=caf\xe9 value=1\n"
        b'{"ts":"2025-10-01T00:00:02Z","biz":{"event":"payment.succeeded","who":"\xc3"}}\n'
    )
    stats = ingest_logs(conn, log)
    rows = conn.sql("select line_number, tags from raw.biz_events order by 1").fetchall()
    assert (stats.events, stats.rejects) == (2, 0)
    assert rows == [(2, {"note": "caf\ufffd"}), (3, {"who": "\ufffd"})]


def test_the_first_of_a_repeated_key_wins(tmp_path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    line = (
        "2025-10-01T00:00:00Z BIZ_METRIC event=order.created event=order.paid"
        ' note="first one" note=second value=1 value=2\n'
    )
    ingest_logs(conn, _write(tmp_path / "app.log", line))
    row = conn.sql("select event, value, tags from raw.biz_events").fetchall()
    assert row == [("order.created", 1.0, {"note": "first one"})]


# (lines, then per event: event, second of ts, value, tags, marker style; then the rejects)
_STYLE_CASES = {
    # a JSON document with a biz object may name the text marker in a string
    "json-naming-the-marker": (
        [
            '{"ts": "2025-10-01T00:00:00Z", "msg": "see BIZ_METRIC", "biz": {"event": "a.b"}}',
            'stdout F {"msg": "BIZ_METRIC", "biz": {"event": "c.d"}, "ts": "2025-10-01T00:00:01Z"}',
            '2025-10-01T00:00:02Z BIZ_METRIC event=e.f note="{\\"biz\\": 1}"',
        ],
        [
            ("a.b", 0, None, {}, "json"),
            ("c.d", 1, None, {}, "json"),
            ("e.f", 2, None, {"note": '{"biz": 1}'}, "text"),
        ],
        {},
    ),
    # a JSON logger's message, with the document's time (epoch too)
    "wrapped-text": (
        [
            '{"@timestamp":"2025-10-01T00:00:01Z","level":"INFO","message":'
            '"BIZ_METRIC event=c.d value=2 note=\\"x y\\" path=C:\\\\tmp"}',
            'stdout F {"ts": 1759276803, "msg": "BIZ_METRIC event=e.f value=3"}',
            '2025-10-01T00:00:07Z stdout F {"msg":"BIZ_METRIC event=k.l value=7"}',
            '{"ts":null,"time":"2025-10-01T00:00:08Z","msg":"BIZ_METRIC event=m.n value=8"}',
        ],
        [
            ("c.d", 1, 2.0, {"note": "x y", "path": "C:\\tmp"}, "text"),
            ("e.f", 3, 3.0, {}, "text"),
            ("k.l", 7, 7.0, {}, "text"),
            ("m.n", 8, 8.0, {}, "text"),
        ],
        {},
    ),
    # braces before the marker that do not hold the line: read as written (found by review)
    "context-before-the-marker": (
        [
            '{"trace":"t1"} BIZ_METRIC event=a.b ts=2025-10-01T00:00:00Z note="x y" value=5',
            '2025-10-01T00:00:01Z app {"span":"s1"} BIZ_METRIC event=a.b value=6 region="eu"',
            '2025-10-01T00:00:02Z {"biz":"checkout"} BIZ_METRIC event=a.b value=1',
            "2025-10-01T00:00:05Z [{trace=1}] BIZ_METRIC event=g.h value=4",
            '"biz": {"event": "a.b"}',
        ],
        [
            ("a.b", 0, 5.0, {"note": "x y"}, "text"),
            ("a.b", 1, 6.0, {"region": "eu"}, "text"),
            ("a.b", 2, 1.0, {}, "text"),
            ("g.h", 5, 4.0, {}, "text"),
        ],
        {"biz_not_an_object": 1},
    ),
}


@pytest.mark.parametrize(("lines", "events", "rejects"), _STYLE_CASES.values(), ids=_STYLE_CASES)
def test_the_style_a_line_is_read_in(
    tmp_path: Path,
    conn: duckdb.DuckDBPyConnection,
    lines: list[str],
    events: list[tuple[object, ...]],
    rejects: dict[str, int],
) -> None:
    stats = ingest_logs(conn, _write(tmp_path / "app.log", "\n".join(lines) + "\n"))
    rows = conn.sql(
        "select event, second(ts), value, tags, marker_style from raw.biz_events"
        " order by line_number"
    ).fetchall()
    assert rows == events
    assert stats.rejects_by_reason == rejects


def test_epoch_times_and_a_json_object_with_a_key_twice(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    lines = [
        "BIZ_METRIC event=order.created ts=1759276800",
        "BIZ_METRIC event=order.created ts=1759276800123",
        '{"ts": 1759276800.5, "biz": {"event": "payment.succeeded"}}',
        '{"ts": "2025-10-01T00:00:00Z", "biz": {"event": "a.b", "event": "c.d"}}',
    ]
    stats = ingest_logs(conn, _write(tmp_path / "app.log", "\n".join(lines) + "\n"))
    times = conn.sql("select ts from raw.biz_events order by line_number").fetchall()
    base = datetime(2025, 10, 1, tzinfo=UTC)
    assert [t[0] for t in times] == [
        base,
        base.replace(microsecond=123000),
        base.replace(microsecond=500000),
    ]
    assert stats.rejects_by_reason == {"duplicate_key": 1}


def test_a_time_without_a_zone_is_utc_whatever_the_teams_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TA_TIMEZONE", "Asia/Seoul")
    log = _write(tmp_path / "app.log", "2025-10-01 09:00:00 INFO BIZ_METRIC event=order.created\n")
    with connect(tmp_path / "seoul.duckdb") as conn:
        ingest_logs(conn, log)
        (ts,) = conn.sql("select ts from raw.biz_events").fetchall()[0]
    assert ts == datetime(2025, 10, 1, 9, tzinfo=UTC)
