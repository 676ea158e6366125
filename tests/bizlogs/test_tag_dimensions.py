"""Free tags as metric dimensions: only keys within the cardinality guard, the rest listed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ticket_analytics.bizlogs import BizLogConfig, ingest_logs
from ticket_analytics.defs.bizmetrics.datadog import _series
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.models import build_model, run_test

# the models up to the by-tag fact; the anomaly models need the ticket models too
MODELS = (
    "dim_biz_tag_keys",
    "int_biz__events_classified",
    "int_biz__events_minutely",
    "fct_biz_metrics_hourly",
    "fct_biz_metrics_by_tag",
)
LIMIT = 10
GUARD = BizLogConfig(hash_keys=("user_id",), drop_keys=("email",), max_distinct_per_hour=LIMIT)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(tmp_path / "w.duckdb") as connection:
        yield connection


def _orders(first: int, count: int, *, hour: int = 0) -> list[str]:
    """One order a minute: region kr three times in four, us the fourth; every fifth one
    failed; a new order_ref on every line (40 a load: over the limit of 10)."""
    lines = []
    for i in range(first, first + count):
        region = "us" if i % 4 == 0 else "kr"
        status = "error" if i % 5 == 0 else "ok"
        lines.append(
            f"2025-10-01T{hour:02d}:{i:02d}:00Z INFO BIZ_METRIC event=order.created"
            f" service=order-api value={i} unit=KRW status={status} region={region}"
            f" order_ref=r{i} user_id=u{i % 3} email=p{i}@example.com"
        )
    return lines


def _load(
    conn: duckdb.DuckDBPyConnection, path: Path, lines: list[str], config: BizLogConfig = GUARD
) -> tuple[str, ...]:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ingest_logs(conn, path, config).excluded_tags


def _build(conn: duckdb.DuckDBPyConnection) -> None:
    project = load_project()
    for name in (n for n in project.order if n in MODELS):
        model = project.models[name]
        build_model(conn, model)
        failed = [t.name for t in model.tests if not run_test(conn, t).passed]
        assert failed == [], f"{name}: {failed}"


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return conn.sql(sql).fetchall()


def test_a_low_cardinality_tag_is_a_dimension_with_counts_rates_and_sums(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    _load(conn, tmp_path / "app.log", _orders(0, 40))
    _build(conn)
    rows = _rows(
        conn,
        "select tag_value, event_count, success_count, failure_count, success_rate, value_sum"
        " from fct_biz_metrics_by_tag where tag_key = 'region' order by tag_value",
    )
    # us: i = 0, 4, …, 36 (10 lines, failed when i % 20 == 0: 0 and 20), sum 180; kr the rest
    assert rows == [("kr", 30, 24, 6, 0.8, 600.0), ("us", 10, 8, 2, 0.8, 180.0)]
    assert _rows(
        conn, "select distinct hour, service, event, unit from fct_biz_metrics_by_tag"
    ) == [(datetime(2025, 10, 1, tzinfo=UTC), "order-api", "order.created", "KRW")]
    # the region rows add up to the hour's totals
    assert _rows(conn, "select event_count, value_sum from fct_biz_metrics_hourly") == [(40, 780.0)]


def test_a_tag_over_the_limit_stays_in_raw_but_gives_no_dimension_rows_and_is_listed(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    excluded = _load(conn, tmp_path / "app.log", _orders(0, 40))
    _build(conn)
    assert excluded == ("order_ref", "user_id")
    raw = _rows(conn, "select count(distinct tags['order_ref']) from raw.biz_events")
    assert raw == [(40,)]
    assert _rows(conn, "select distinct tag_key from fct_biz_metrics_by_tag") == [("region",)]
    keys = _rows(
        conn,
        "select tag_key, is_dimension, exclusion_reason, max_distinct_per_hour,"
        " distinct_limit_per_hour from dim_biz_tag_keys order by tag_key",
    )
    assert keys == [
        ("order_ref", False, "over_limit", 40, LIMIT),
        ("region", True, None, 2, LIMIT),
        ("user_id", False, "hashed", 3, LIMIT),
    ]
    minutely = _rows(conn, "select distinct map_keys(dimension_tags) from int_biz__events_minutely")
    assert minutely == [(["region"],)]


def test_hashed_and_dropped_keys_behave_as_before(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    _load(conn, tmp_path / "app.log", _orders(0, 40))
    _build(conn)
    tags = _rows(conn, "select tags from raw.biz_events order by line_number limit 1")[0][0]
    assert set(tags) == {"region", "order_ref", "user_id"}
    assert tags["user_id"].startswith("sha256:")
    assert _rows(conn, "select count(*) from dim_biz_tag_keys where tag_key = 'email'") == [(0,)]
    hashed = _rows(conn, "select count(*) from fct_biz_metrics_by_tag where tag_key = 'user_id'")
    assert hashed == [(0,)]


def test_an_hour_split_over_two_loads_is_measured_whole(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    # 8 order_refs in each half of the hour: within the limit alone, 16 together
    assert _load(conn, tmp_path / "a.log", _orders(0, 8)) == ("user_id",)
    assert _load(conn, tmp_path / "b.log", _orders(30, 8)) == ("order_ref", "user_id")


def test_a_changed_limit_decides_keys_again_without_new_lines(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    _load(conn, tmp_path / "app.log", _orders(0, 40))
    wider = BizLogConfig(hash_keys=("user_id",), drop_keys=("email",), max_distinct_per_hour=50)
    stats = ingest_logs(conn, tmp_path / "app.log", wider)
    assert (stats.events, stats.excluded_tags) == (0, ("user_id",))
    _build(conn)
    refs = _rows(conn, "select count(*) from fct_biz_metrics_by_tag where tag_key = 'order_ref'")
    assert refs == [(40,)]


def test_a_key_the_guard_never_measured_is_left_out_as_unchecked(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    _load(conn, tmp_path / "app.log", _orders(0, 4))
    # as a load killed between committing its events and measuring their tags leaves it
    conn.execute(
        "insert into raw.biz_events (event, ts, tags, marker_style, ts_from_line, stream_id,"
        " source_file, line_number, ingested_at) values ('order.created',"
        " '2025-10-01 01:00:00+00', map {'plan': 'pro'}, 'text', true, 's', 'x.log', 1, now())"
    )
    _build(conn)
    assert _rows(
        conn, "select is_dimension, exclusion_reason from dim_biz_tag_keys where tag_key = 'plan'"
    ) == [(False, "unchecked")]
    assert _rows(conn, "select count(*) from fct_biz_metrics_by_tag where tag_key = 'plan'") == [
        (0,)
    ]


def _minute(tags: dict[str, str], count: int) -> dict[str, Any]:
    return {
        "minute": datetime(2025, 10, 1, tzinfo=UTC),
        "service": "order-api",
        "event": "order.created",
        "status": "ok",
        "unit": "",
        "dimension_tags": tags,
        "event_count": count,
        "failure_count": 0,
    }


def test_datadog_series_carry_the_dimension_tags_and_merge_what_datadog_would_merge() -> None:
    series = _series(
        [
            _minute({"region": "kr", "channel": "App"}, 2),
            _minute({"region": "kr", "channel": "app"}, 3),
            _minute({}, 1),
        ],
        "biz",
    )
    events = {s.tags: s.points for s in series if s.metric == "biz.events"}
    assert events == {
        ("service:order-api", "event:order.created", "status:ok", "channel:app", "region:kr"): (
            (1759276800, 5.0),
        ),
        ("service:order-api", "event:order.created", "status:ok"): ((1759276800, 1.0),),
    }
