"""The one place that assembles assets, checks, jobs, schedules and resources."""

from __future__ import annotations

import dagster as dg

from ticket_analytics.defs.catalog.assets import catalog_tables
from ticket_analytics.defs.ingest.assets import raw_jira_files
from ticket_analytics.defs.models.assets import build_model_assets, monthly_schedule
from ticket_analytics.defs.quality.checks import gx_checks
from ticket_analytics.defs.resources import WarehouseResource

model_assets = build_model_assets()

# Written by the monthly LLM analysis; declared here so the models that read it show the edge.
llm_classifications = dg.AssetSpec(
    dg.AssetKey(["raw", "llm_classifications"]),
    description="Per-ticket category chosen by the LLM analysis; overrides the keyword rules.",
    group_name="ingest",
)

defs = dg.Definitions(
    assets=[raw_jira_files, catalog_tables, llm_classifications, *model_assets],
    asset_checks=[*gx_checks],
    schedules=[monthly_schedule(model_assets)],
    resources={"warehouse": WarehouseResource()},
)
