"""The bizmetrics assets with dg.materialize: logs and infra in, models, page, Datadog series."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import orjson
import pytest
from bizlog_builders import NOW
from fakes.datadog_server import FakeDatadog

from ticket_analytics.defs import selections
from ticket_analytics.defs.bizmetrics import bizmetrics_job
from ticket_analytics.defs.bizmetrics.assets import (
    BIZ_EVENTS_OP,
    INFRA_OP,
    RAW_BIZ_EVENTS,
    TAG_CARDINALITY,
    raw_biz_events,
    raw_infra_metrics,
)
from ticket_analytics.defs.bizmetrics.dashboard import business_dashboard_html
from ticket_analytics.defs.bizmetrics.datadog import DatadogResource, datadog_series
from ticket_analytics.defs.bizmetrics.resources import BizLogsResource
from ticket_analytics.defs.models.assets import build_model_assets
from ticket_analytics.defs.resources import WarehouseResource


def _materialize(
    warehouse: Path,
    logs: Path,
    infra: Path,
    *,
    datadog: DatadogResource | None = None,
    bizlogs: BizLogsResource | None = None,
) -> dg.ExecuteInProcessResult:
    assets: list[Any] = [
        *build_model_assets(),
        raw_biz_events,
        raw_infra_metrics,
        business_dashboard_html,
        datadog_series,
    ]
    return dg.materialize(
        assets,
        selection=dg.AssetSelection.groups(selections.BIZMETRICS),
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "datadog": datadog or DatadogResource(),
            "bizlogs": bizlogs or BizLogsResource(),
        },
        run_config={
            "ops": {
                BIZ_EVENTS_OP: {"config": {"path": str(logs)}},
                INFRA_OP: {"config": {"path": str(infra)}},
            }
        },
    )


def _metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey | str) -> dict[str, Any]:
    wanted = key if isinstance(key, dg.AssetKey) else dg.AssetKey.from_user_string(key)
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        if materialization is not None and materialization.asset_key == wanted:
            return {name: entry.value for name, entry in materialization.metadata.items()}
    raise AssertionError(f"{wanted.to_user_string()} was not materialized")


def test_the_group_lands_events_builds_models_and_page_without_rebuilding_tickets(
    ticket_warehouse: Path, logs: Path, infra: Path, tmp_path: Path
) -> None:
    result = _materialize(ticket_warehouse, logs, infra)
    assert result.success
    built = {
        e.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
        if e.asset_key is not None
    }
    assert "fct_tickets" not in built
    assert {"raw/biz_events", "raw/infra_metrics", "fct_biz_anomalies"} <= built
    events = _metadata(result, RAW_BIZ_EVENTS)
    assert (events["events"], events["rejects"], events["dagster/row_count"]) == (180, 2, 180)
    assert "missing_event" in events["rejects_by_reason"]
    assert "invalid_json" in events["rejects_by_reason"]
    assert "`user_id`" in events["excluded_tags_note"]
    guard = _metadata(result, TAG_CARDINALITY)
    assert (guard["dimension_tags"], guard["excluded_tags"]) == ("channel", "user_id")
    assert "hashed: `user_id`" in guard["excluded_tags_note"]
    by_tag = _metadata(result, "fct_biz_metrics_by_tag")
    assert by_tag["dagster/row_count"] > 0
    assert _metadata(result, "raw/infra_metrics")["written"] == 6
    page = _metadata(result, "business_dashboard_html")
    assert Path(page["path"]) == tmp_path / "reports" / "business.html"
    assert "OPS-7" in Path(page["path"]).read_text(encoding="utf-8")
    assert page["incident_tickets"] == 1 and "OPS-7" in page["incidents"]


def test_a_second_run_over_the_same_files_adds_nothing(
    ticket_warehouse: Path, logs: Path, infra: Path
) -> None:
    assert _materialize(ticket_warehouse, logs, infra).success
    again = _materialize(ticket_warehouse, logs, infra)
    events = _metadata(again, RAW_BIZ_EVENTS)
    assert (events["events"], events["files_unchanged"], events["dagster/row_count"]) == (0, 2, 180)
    assert _metadata(again, "raw/infra_metrics")["written"] == 0


def test_without_a_key_the_series_are_written_to_files_not_sent(
    ticket_warehouse: Path, logs: Path, infra: Path, tmp_path: Path
) -> None:
    result = _materialize(ticket_warehouse, logs, infra)
    series = _metadata(result, "datadog_series")
    assert series["mode"] == "dry-run" and series["series"] > 0
    (written,) = sorted((tmp_path / "reports" / "datadog").glob("series-*.json"))
    body = orjson.loads(written.read_bytes())
    metrics = {s["metric"] for s in body["series"]}
    assert {"biz.events", "biz.failures", "biz.value.sum"} <= metrics
    tags = {t for s in body["series"] for t in s.get("tags", [])}
    assert {"service:order-api", "event:payment.succeeded", "unit:krw", "channel:app"} <= tags
    assert not any(t.startswith("user_id") for t in tags)
    assert (series["tag_dimensions"], series["tags_left_out"]) == ("channel", "user_id (hashed)")


def test_with_a_key_the_last_hour_is_sent_to_datadog(
    ticket_warehouse: Path, logs: Path, infra: Path, tmp_path: Path
) -> None:
    with FakeDatadog() as fake:
        resource = DatadogResource(api_key=fake.api_key, api_url=fake.url)
        result = _materialize(ticket_warehouse, logs, infra, datadog=resource)
        points = dict(fake.points)
    series = _metadata(result, "datadog_series")
    assert series["mode"] == "live" and series["requests"] == 1
    counted = sum(
        value
        for (metric, tags, _), value in points.items()
        if metric == "biz.events" and "event:order.created" in tags
    )
    assert counted == 3 * 30  # three events a minute, every minute of the last half hour
    assert all(ts <= NOW.timestamp() for _, _, ts in points)
    assert not (tmp_path / "reports" / "datadog").exists()


def test_the_job_runs_the_bizmetrics_group_and_nothing_else(project_defs: dg.Definitions) -> None:
    graph = project_defs.resolve_asset_graph()
    job = project_defs.resolve_job_def(bizmetrics_job.name)
    keys = set(job.asset_layer.selected_asset_keys)
    assert {graph.get(k).group_name for k in keys} == {selections.BIZMETRICS}
    assert {dg.AssetKey("datadog_series"), dg.AssetKey("fct_biz_anomalies"), RAW_BIZ_EVENTS} <= keys
    assert keys == set(dg.AssetSelection.groups(selections.BIZMETRICS).resolve(graph))


@pytest.mark.parametrize("table", ["raw.biz_events", "raw.infra_metrics"])
def test_the_raw_tables_hold_only_what_the_files_said(
    ticket_warehouse: Path, logs: Path, infra: Path, table: str
) -> None:
    assert _materialize(ticket_warehouse, logs, infra).success
    with duckdb.connect(str(ticket_warehouse), read_only=True) as conn:
        sources = conn.sql(
            f"select distinct {'source_file' if 'biz' in table else 'source'} from {table}"
        ).fetchall()
    folder = logs if "biz" in table else infra
    assert all(str(folder) in row[0] for row in sources)


def test_hashed_tags_take_the_salt_from_the_environment(
    ticket_warehouse: Path, logs: Path, infra: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TA_BIZ_HASH_SALT", "s3cret-salt")
    salted = BizLogsResource(hash_salt=dg.EnvVar("TA_BIZ_HASH_SALT"))
    result = _materialize(ticket_warehouse, logs, infra, bizlogs=salted)
    assert result.success
    with duckdb.connect(str(ticket_warehouse), read_only=True) as conn:
        [(digest,)] = conn.sql(
            "select tags['user_id'] from raw.biz_events where tags['user_id'] is not null limit 1"
        ).fetchall()

    def digests(salt: str) -> set[str]:
        users = ("u5", "u25", "u45")  # the builders' user ids
        return {f"sha256:{hashlib.sha256((salt + u).encode()).hexdigest()[:16]}" for u in users}

    assert digest in digests("s3cret-salt") and digest not in digests("")
    assert "s3cret-salt" not in repr(result.all_events)
