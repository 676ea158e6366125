"""The one place that assembles assets, checks, jobs, schedules and resources."""

from __future__ import annotations

import os

import dagster as dg

from ticket_analytics.defs import analysis, bizmetrics, selections, triage
from ticket_analytics.defs.analysis.resources import (
    ConfluenceResource,
    ReportResource,
    SlackResource,
)
from ticket_analytics.defs.catalog.assets import catalog_tables
from ticket_analytics.defs.ingest.assets import jira_counts_match, raw_jira
from ticket_analytics.defs.models.assets import build_model_assets, monthly_marts_schedule
from ticket_analytics.defs.models.partitions import MONTHLY
from ticket_analytics.defs.quality.checks import gx_checks
from ticket_analytics.defs.reports.assets import dashboard_html
from ticket_analytics.defs.reports.snapshot import analyst_snapshot
from ticket_analytics.defs.resources import JiraResource, LlmResource, WarehouseResource


def _env(name: str, default: str = "") -> str | dg.EnvVar:
    """An `EnvVar` for a variable that is set, else a default: the demo runs with none set.

    Only presence is read here; values are resolved by Dagster at run time and never shown.
    """
    return dg.EnvVar(name) if os.environ.get(name) else default


model_assets = build_model_assets()
monthly_assets = [a for a in model_assets if a.partitions_def == MONTHLY]

jira = JiraResource(
    url=_env("JIRA_URL"),
    flavor=_env("JIRA_FLAVOR", "auto"),
    email=_env("JIRA_EMAIL"),
    api_token=_env("JIRA_API_TOKEN"),
    pat=_env("JIRA_PAT"),
    jql=_env("JIRA_JQL", "project = OPS"),
)

refresh_job = dg.define_asset_job(
    "refresh_job",
    selection=selections.refresh(monthly_assets),
    description="Sync Jira (or load the configured files), rebuild every unpartitioned model "
    "and publish the analysts' snapshot.",
)

defs = dg.Definitions(
    assets=[
        raw_jira,
        catalog_tables,
        *model_assets,
        analyst_snapshot,
        dashboard_html,
        *analysis.ASSETS,
        *triage.ASSETS,
        *bizmetrics.ASSETS,
    ],
    asset_checks=[jira_counts_match, *gx_checks],
    jobs=[refresh_job, *analysis.JOBS, *triage.JOBS, *bizmetrics.JOBS],
    schedules=[
        dg.ScheduleDefinition(
            job=refresh_job,
            cron_schedule="0 * * * *",
            name="hourly_refresh",
            # Jira only: with JIRA_URL unset the run fails clearly instead of loading the sample.
            run_config={"ops": {"raw_jira": {"config": {"source": "jira"}}}},
        ),
        monthly_marts_schedule,
        *analysis.SCHEDULES,
    ],
    sensors=[*analysis.SENSORS, *triage.SENSORS, *bizmetrics.SENSORS],
    resources={
        "warehouse": WarehouseResource(),
        "jira": jira,
        "triage": triage.TriageResource(
            jira=jira,
            jql=_env("TRIAGE_JQL"),
            label=_env("TRIAGE_LABEL", "AI_ANALYZED"),
            mode=_env("TRIAGE_MODE", "live"),
        ),
        "llm": LlmResource(
            backend=_env("LLM_BACKEND", "offline"),
            openai_api_key=_env("OPENAI_API_KEY"),
            openai_base_url=_env("OPENAI_BASE_URL"),
            azure_endpoint=_env("AZURE_OPENAI_ENDPOINT"),
            azure_api_key=_env("AZURE_OPENAI_API_KEY"),
            azure_api_version=_env("AZURE_OPENAI_API_VERSION", "2024-10-21"),
            map_model=_env("LLM_MAP_MODEL", "gpt-4o-mini"),
            reduce_model=_env("LLM_REDUCE_MODEL", "gpt-4o"),
            monthly_budget_usd=_env("LLM_MONTHLY_BUDGET_USD", "10"),
        ),
        "report": ReportResource(
            language=_env("REPORT_LANGUAGE", "en"),
            title_prefix=_env("REPORT_TITLE_PREFIX", "Ops Monthly Report"),
        ),
        "confluence": ConfluenceResource(
            url=_env("CONFLUENCE_URL"),
            email=_env("CONFLUENCE_EMAIL"),
            api_token=_env("CONFLUENCE_API_TOKEN"),
            space_key=_env("CONFLUENCE_SPACE_KEY"),
            parent_id=_env("CONFLUENCE_PARENT_ID"),
        ),
        "bizlogs": bizmetrics.BizLogsResource(hash_salt=_env("TA_BIZ_HASH_SALT")),
        "datadog": bizmetrics.DatadogResource(
            api_key=_env("DATADOG_API_KEY"), site=_env("DATADOG_SITE", "datadoghq.com")
        ),
        "slack": SlackResource(
            webhook_url=_env("SLACK_WEBHOOK_URL"),
            bot_token=_env("SLACK_BOT_TOKEN"),
            channel=_env("SLACK_CHANNEL"),
        ),
    },
)
