"""The monthly LLM analysis: map by batch, reduce by month, publish to Confluence and Slack.

On the 1st (once its schedule is turned on) last month's batches are mapped; a sensor runs
the reduce and the publication once every batch and the month's marts are done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import dagster as dg

from ticket_analytics.analysis.batches import BATCH_KEYS
from ticket_analytics.defs.analysis.assets import (
    LLM_TICKET_INSIGHTS,
    llm_ticket_insights,
    monthly_report,
)
from ticket_analytics.defs.analysis.partitions import MONTH_BATCHES
from ticket_analytics.defs.analysis.publish import confluence_page, slack_announcement
from ticket_analytics.defs.models.partitions import MONTHLY

PUBLISH = {"publish": True}
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
    return (moment.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@dg.schedule(job=monthly_map_job, cron_schedule="0 7 1 * *", execution_timezone="UTC")
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
    instance: dg.DagsterInstance, key: dg.AssetKey, partitions: list[str]
) -> int | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=partitions), limit=1
    ).records
    return records[0].storage_id if records else None


@dg.sensor(job=monthly_report_job, minimum_interval_seconds=300)
def monthly_report_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """When every batch of last month is mapped and its marts are built, reduce and publish.

    Reads Dagster's event log only (never the warehouse); the run key carries the latest
    batch materialization, so a re-mapped month is reported again and an unchanged one never.
    """
    month = last_month(datetime.now().astimezone())
    batches = [str(dg.MultiPartitionKey({"month": month, "batch": b})) for b in BATCH_KEYS]
    mapped = context.instance.get_materialized_partitions(LLM_TICKET_INSIGHTS)
    missing = [b for b in batches if b not in mapped]
    if missing:
        return dg.SensorResult(skip_reason=f"{month}: {len(missing)} batches not mapped yet")
    if month not in context.instance.get_materialized_partitions(dg.AssetKey("fct_monthly_ops")):
        return dg.SensorResult(skip_reason=f"{month}: fct_monthly_ops not built yet")
    latest = _latest_storage_id(context.instance, LLM_TICKET_INSIGHTS, batches)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"report-{month}-{latest}",
                partition_key=month,
                run_config={"ops": {a.key.path[-1]: {"config": PUBLISH} for a in REPORT_ASSETS[1:]}},
            )
        ]
    )


ASSETS = [llm_ticket_insights, *REPORT_ASSETS]
JOBS = [monthly_map_job, monthly_report_job]
SCHEDULES = [monthly_analysis_schedule]
SENSORS = [monthly_report_sensor]
