"""The bizmetrics job: logs and infra in, the business models, the dashboard, Datadog."""

import dagster as dg

from ticket_analytics.defs import selections

BIZMETRICS_JOB = "bizmetrics_job"

# The whole group and nothing else: the models read fct_tickets for incidents, but the
# ticket models are the refresh job's to build, never this one's.
bizmetrics_job = dg.define_asset_job(
    BIZMETRICS_JOB,
    selection=dg.AssetSelection.groups(selections.BIZMETRICS),
    description="Read new application log lines and infra metrics, rebuild the business "
    "metrics models, write reports/business.html and send (or dry-run) the Datadog series.",
    # one writer at a time on DuckDB, and a step in its own process costs ~1.7 s
    executor_def=dg.in_process_executor,
)
