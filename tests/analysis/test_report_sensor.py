"""The monthly report sensor: mapped batches, then fresh marts, then the reduce; from
Dagster's event log only."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import pytest

from ticket_analytics.analysis.batches import BATCH_KEYS
from ticket_analytics.definitions import defs
from ticket_analytics.defs import analysis
from ticket_analytics.defs.analysis import (
    LLM_TICKET_INSIGHTS,
    last_month,
    monthly_report_sensor,
)


def _materialize(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def _evaluate(instance: dg.DagsterInstance) -> dg.SensorResult:
    result = monthly_report_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(result, dg.SensorResult)
    return result


def test_the_report_waits_for_every_batch_then_fresh_marts() -> None:
    month = last_month(datetime.now().astimezone())
    with dg.DagsterInstance.ephemeral() as instance:
        for batch in BATCH_KEYS[:-1]:
            key = dg.MultiPartitionKey({"month": month, "batch": batch})
            _materialize(instance, LLM_TICKET_INSIGHTS, str(key))
        assert "1 batches not mapped" in str(_evaluate(instance).skip_reason)

        _materialize(
            instance,
            LLM_TICKET_INSIGHTS,
            str(dg.MultiPartitionKey({"month": month, "batch": BATCH_KEYS[-1]})),
        )
        assert "fct_tickets" in str(_evaluate(instance).skip_reason)

        _materialize(instance, dg.AssetKey("fct_tickets"), None)
        [marts] = _evaluate(instance).run_requests or []
        assert (marts.job_name, marts.partition_key) == ("monthly_marts_job", month)

        _materialize(instance, dg.AssetKey("fct_monthly_ops"), month)
        [report] = _evaluate(instance).run_requests or []
        assert (report.job_name, report.partition_key) == ("monthly_report_job", month)
        assert report.run_config["ops"]["confluence_page"]["config"] == {"publish": True}
        # the same state asks for the same run: Dagster runs a run key once
        [again] = _evaluate(instance).run_requests or []
        assert again.run_key == report.run_key

        _materialize(instance, dg.AssetKey("slack_announcement"), month)
        # hourly_refresh rebuilds fct_tickets all month: a published month asks for nothing
        _materialize(instance, dg.AssetKey("fct_tickets"), None)
        assert "published" in str(_evaluate(instance).skip_reason)
        _materialize(
            instance,
            LLM_TICKET_INSIGHTS,
            str(dg.MultiPartitionKey({"month": month, "batch": BATCH_KEYS[0]})),
        )
        assert "fct_tickets" in str(_evaluate(instance).skip_reason)  # re-mapped: again
        _materialize(instance, dg.AssetKey("fct_tickets"), None)
        [marts] = _evaluate(instance).run_requests or []
        assert marts.job_name == "monthly_marts_job"


def test_a_failed_report_run_is_asked_for_again_an_hour_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Confluence or Slack down at 8 on the 1st must not lose the month's publication."""
    month = last_month(datetime.now().astimezone())
    with dg.DagsterInstance.ephemeral() as instance:
        for batch in BATCH_KEYS:
            key = dg.MultiPartitionKey({"month": month, "batch": batch})
            _materialize(instance, LLM_TICKET_INSIGHTS, str(key))
        _materialize(instance, dg.AssetKey("fct_tickets"), None)
        _materialize(instance, dg.AssetKey("fct_monthly_ops"), month)
        [first] = _evaluate(instance).run_requests or []
        failed = instance.create_run_for_job(
            defs.resolve_job_def("monthly_report_job"),
            run_config=first.run_config,
            tags=first.tags,
            status=dg.DagsterRunStatus.FAILURE,
        )
        created = instance.get_run_record_by_id(failed.run_id).create_timestamp.timestamp()

        monkeypatch.setattr(analysis, "_now", lambda: created + 60)
        assert "failed" in str(_evaluate(instance).skip_reason)
        monkeypatch.setattr(analysis, "_now", lambda: created + 3601)
        [retry] = _evaluate(instance).run_requests or []
        assert retry.run_key == f"{first.run_key}-retry1" and retry.tags == first.tags
