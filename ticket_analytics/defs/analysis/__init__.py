"""The monthly LLM analysis: map by batch, reduce by month, publish to Confluence and Slack.

On the 1st (once its schedule is turned on) last month's batches are mapped; a sensor runs
the reduce and the publication once every batch and the month's marts are done.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from ticket_analytics.analysis.batches import BATCH_KEYS
from ticket_analytics.defs.analysis.assets import (
    LLM_TICKET_INSIGHTS,
    llm_ticket_insights,
    monthly_report,
)
from ticket_analytics.defs.analysis.partitions import MONTH_BATCHES
from ticket_analytics.defs.analysis.publish import confluence_page, slack_announcement
from ticket_analytics.defs.models.assets import monthly_marts_job
from ticket_analytics.defs.models.partitions import MONTHLY, TEAM_ZONE

PUBLISH = {"publish": True}
FCT_TICKETS = dg.AssetKey("fct_tickets")
FCT_MONTHLY_OPS = dg.AssetKey("fct_monthly_ops")
SLACK_ANNOUNCEMENT = slack_announcement.key
# A report run that failed (Confluence or Slack down) is asked for again this long after.
RETRY_AFTER_SECONDS = 3600
REPORT_KEY_TAG = "report/key"
REPORT_ASSETS = (monthly_report, confluence_page, slack_announcement)

monthly_map_job = dg.define_asset_job(
    "monthly_map_job",
    selection=dg.AssetSelection.assets(llm_ticket_insights),
    partitions_def=MONTH_BATCHES,
    description="One batch of a month's tickets through the map model.",
)

monthly_report_job = dg.define_asset_job(
    "monthly_report_job",
    selection=dg.AssetSelection.assets(*REPORT_ASSETS),
    partitions_def=MONTHLY,
    description="The month's reduce, then (when the run config says publish) the Confluence "
    "page and the Slack message.",
)


def last_month(moment: datetime) -> str:
    """The month before `moment`'s, in the team's zone."""
    local = moment.astimezone(ZoneInfo(TEAM_ZONE))
    return (local.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@dg.schedule(job=monthly_map_job, cron_schedule="0 7 1 * *", execution_timezone=TEAM_ZONE)
def monthly_analysis_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    """After the monthly marts (06:00), map every batch of last month; empty ones finish at once."""
    month = last_month(context.scheduled_execution_time)
    tick = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [
        dg.RunRequest(
            run_key=f"{month}|{batch}@{tick}",
            partition_key=dg.MultiPartitionKey({"month": month, "batch": batch}),
        )
        for batch in BATCH_KEYS
    ]


def _latest_storage_id(
    instance: dg.DagsterInstance, key: dg.AssetKey, partitions: list[str] | None
) -> int | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=partitions), limit=1
    ).records
    return records[0].storage_id if records else None


@dg.sensor(jobs=[monthly_marts_job, monthly_report_job], minimum_interval_seconds=300)
def monthly_report_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """When every batch of last month is mapped, rebuild the month's marts (the map's
    categories reach them through fct_tickets), then reduce and publish.

    Reads Dagster's event log only (never the warehouse); run keys carry the latest batch
    materialization, so a re-mapped month is reported again and an unchanged one never, and
    a report run that failed is asked for again an hour later.
    """
    month = last_month(datetime.now(UTC))
    batches = [str(dg.MultiPartitionKey({"month": month, "batch": b})) for b in BATCH_KEYS]
    mapped = context.instance.get_materialized_partitions(LLM_TICKET_INSIGHTS)
    missing = [b for b in batches if b not in mapped]
    if missing:
        return dg.SensorResult(skip_reason=f"{month}: {len(missing)} batches not mapped yet")
    latest = _latest_storage_id(context.instance, LLM_TICKET_INSIGHTS, batches) or 0
    published = _latest_storage_id(context.instance, SLACK_ANNOUNCEMENT, [month]) or 0
    if published > latest:
        # hourly_refresh rebuilds fct_tickets all month long: without this, last month's
        # marts were rebuilt after every refresh once its report was out
        return dg.SensorResult(skip_reason=f"{month}: published since its last map")
    tickets = _latest_storage_id(context.instance, FCT_TICKETS, None) or 0
    if tickets < latest:
        return dg.SensorResult(
            skip_reason=f"{month}: waiting for fct_tickets to be rebuilt after the map "
            "(hourly_refresh, or ticket-analytics build)"
        )
    marts = _latest_storage_id(context.instance, FCT_MONTHLY_OPS, [month]) or 0
    if marts < tickets:
        request = dg.RunRequest(
            run_key=f"marts-{month}-{tickets}", job_name=monthly_marts_job.name, partition_key=month
        )
    else:
        base = f"report-{month}-{latest}"
        run_key = _report_run_key(context.instance, base)
        if run_key is None:
            return dg.SensorResult(
                skip_reason=f"{month}: the report run failed; trying again an hour after it"
            )
        request = dg.RunRequest(
            run_key=run_key,
            job_name=monthly_report_job.name,
            partition_key=month,
            run_config={"ops": {a.key.path[-1]: {"config": PUBLISH} for a in REPORT_ASSETS[1:]}},
            tags={REPORT_KEY_TAG: base},
        )
    return dg.SensorResult(run_requests=[request])


def _now() -> float:
    return time.time()


def _report_run_key(instance: dg.DagsterInstance, base: str) -> str | None:
    """`base` until a run of it fails, then a fresh key an hour after each failure: an outage
    of Confluence or Slack delays the month's publication, never loses it. None: wait."""
    filters = dg.RunsFilter(tags={REPORT_KEY_TAG: base})
    records = instance.get_run_records(filters=filters, limit=1)
    if not records or records[0].dagster_run.status != dg.DagsterRunStatus.FAILURE:
        return base  # none yet, under way or done: Dagster runs a key once
    ended = records[0].end_time or records[0].create_timestamp.timestamp()
    if _now() - ended < RETRY_AFTER_SECONDS:
        return None
    return f"{base}-retry{len(instance.get_run_ids(filters=filters))}"


ASSETS = [llm_ticket_insights, *REPORT_ASSETS]
JOBS = [monthly_map_job, monthly_report_job]
SCHEDULES = [monthly_analysis_schedule]
SENSORS = [monthly_report_sensor]
