"""Infra imports are idempotent; the models build with the project's runner; the page is offline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from jira_builders import issue, load_and_build, write_page

from ticket_analytics.bizlogs import import_infra_path, ingest_logs
from ticket_analytics.reports.business import read_frames, write_business_dashboard
from ticket_analytics.samples.applogs import IncidentMark, write_applogs
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.models import run_test

PROMETHEUS = {
    "status": "success",
    "data": {
        "resultType": "matrix",
        "result": [
            {
                "metric": {"__name__": "cpu_usage", "instance": "web-1:9100", "mode": "user"},
                "values": [[1759276800, "0.5"], [1759280400, "NaN"]],
            }
        ],
    },
}


def test_infra_imports_land_once_and_a_replay_changes_nothing(tmp_path: Path) -> None:
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "cpu.json").write_text(json.dumps(PROMETHEUS))
    (infra / "err.csv").write_text(
        "ts,host,metric,value\n2025-10-01T00:00:00Z,web-1,error_rate,0.01\n1759280400,web-1,error_rate,0.02\n"
    )
    with connect(tmp_path / "w.duckdb") as conn:
        first = import_infra_path(conn, infra)
        before = conn.sql("select * from raw.infra_metrics order by all").fetchall()
        second = import_infra_path(conn, infra)
        after = conn.sql("select * from raw.infra_metrics order by all").fetchall()
        rows = conn.sql("select host, metric, labels, value from raw.infra_metrics order by all")
        landed = rows.fetchall()
    assert (first.points, first.written, second.written) == (4, 4, 0)
    assert before == after
    assert landed[0] == ("web-1", "cpu_usage", '{"mode":"user"}', 0.5)
    assert ("web-1", "error_rate", "", 0.02) in landed


def test_values_the_models_cannot_hold_are_rejected_or_left_out_and_the_build_succeeds(
    tmp_path: Path,
) -> None:
    """One event of 10^18 wei or one NaN in an infra CSV had failed every business model."""
    log = tmp_path / "app.log"
    log.write_text(
        "2025-10-01T00:00:00Z INFO BIZ_METRIC event=wallet.deposit value=2000000000000000000\n"
        "2025-10-01T00:00:01Z INFO BIZ_METRIC event=wallet.deposit value=12.5 unit=KRW\n"
    )
    infra = tmp_path / "cpu.csv"
    infra.write_text(
        "ts,host,metric,value\n2025-10-01T00:00:00Z,web-1,cpu_usage,0.5\n"
        "2025-10-01T00:01:00Z,web-1,cpu_usage,NaN\n2025-10-01T00:02:00Z,web-1,cpu_usage,inf\n"
        "2025-10-01T00:03:00Z,web-1,cpu_usage,3e18\n"
    )
    page = write_page(tmp_path / "page.json", [issue("OPS-7", "2025-10-01T00:10:00.000+0000")])
    with connect(tmp_path / "w.duckdb") as conn:
        stats = ingest_logs(conn, log)
        import_infra_path(conn, infra)
        load_and_build(conn, page)
        values = conn.sql("select value from raw.infra_metrics order by ts").fetchall()
        hourly = conn.sql("select count(*) from int_biz__infra_hourly").fetchall()
    assert (stats.events, stats.rejects_by_reason) == (1, {"value_out_of_range": 1})
    assert values == [(0.5,), (None,), (None,), (None,)] and hourly == [(1,)]


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, duckdb.DuckDBPyConnection]]:
    root = tmp_path_factory.mktemp("bizdemo")
    incident = issue(
        "OPS-7", "2025-10-12T03:10:00.000+0000", summary="payment-api 장애 502 bad gateway"
    )
    page = write_page(root / "page.json", [incident])
    mark = IncidentMark("OPS-7", datetime(2025, 10, 12, 3, 10, tzinfo=UTC))
    sample = write_applogs(
        root / "app", incidents=[mark], until=date(2025, 10, 13), days=10, events_per_minute=2.0
    )
    with connect(root / "w.duckdb") as conn:
        ingest_logs(conn, sample.log_dir)
        import_infra_path(conn, sample.infra_dir)
        load_and_build(conn, page)
        yield root, conn


def test_the_bizmetrics_models_build_with_the_runner_and_pass_their_tests(
    demo: tuple[Path, duckdb.DuckDBPyConnection],
) -> None:
    _, conn = demo
    project = load_project()
    models = [m for m in project.models.values() if m.group == "bizmetrics"]
    assert {m.name for m in models} >= {
        "int_biz__events_minutely",
        "fct_biz_metrics_hourly",
        "fct_biz_infra_hourly",
        "fct_biz_anomalies",
    }
    failed = [(t.model, t.name) for m in models for t in m.tests if not run_test(conn, t).passed]
    assert failed == []
    hours = conn.sql("select count(*), count(distinct hour) from fct_biz_infra_hourly").fetchall()
    assert hours == [(240, 240)]


def test_the_sample_incident_shows_as_business_and_infra_anomalies_pointing_at_its_ticket(
    demo: tuple[Path, duckdb.DuckDBPyConnection],
) -> None:
    _, conn = demo
    near = conn.sql(
        "select distinct series_kind from fct_biz_anomalies where incident_issue_key = 'OPS-7'"
    ).fetchall()
    assert sorted(near) == [("business",), ("infra",)]
    hour = conn.sql(
        "select incident_issue_keys, failure_count > 5 * (select median(failure_count)"
        " from fct_biz_infra_hourly) from fct_biz_infra_hourly"
        " where hour = '2025-10-12 03:00:00+00'"
    ).fetchall()
    assert hour == [(["OPS-7"], True)]


def test_the_business_dashboard_is_one_offline_file_with_incident_keys(
    demo: tuple[Path, duckdb.DuckDBPyConnection],
) -> None:
    root, conn = demo
    path = write_business_dashboard(root / "reports" / "business.html", *read_frames(conn))
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc\s*=", page)
    assert page.count("<script") == 3  # plotly.js inlined once, then one per figure
    assert "OPS-7" in page and "infra: CPU" in page
