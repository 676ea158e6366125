"""The one place that assembles assets, checks, jobs, schedules and resources."""

from __future__ import annotations

import dagster as dg

from ticket_analytics.defs.ingest.assets import raw_jira_files
from ticket_analytics.defs.models.assets import build_model_assets
from ticket_analytics.defs.resources import WarehouseResource

model_assets = build_model_assets()

defs = dg.Definitions(
    assets=[raw_jira_files, *model_assets],
    resources={"warehouse": WarehouseResource()},
)
