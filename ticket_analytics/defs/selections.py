"""What each job and CLI command runs, chosen positively and in this one place.

A new domain's assets join no job until a selection here names them, so an LLM call or a
comment posted to Jira never rides along with a refresh or a `build`.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

INGEST = "ingest"
# The ticket warehouse built from Jira data: catalog tables, seeds and the SQL models.
TICKET_MODELS = ("catalog", "seeds", "staging", "intermediate", "marts")
# Files published from the ticket models (dashboard, analysts' snapshot).
REPORTS = "reports"
ANALYSIS = "analysis"
TRIAGE = "triage"
BIZMETRICS = "bizmetrics"
GROUPS = (INGEST, *TICKET_MODELS, REPORTS, ANALYSIS, TRIAGE, BIZMETRICS)


def jira_ingest() -> dg.AssetSelection:
    return dg.AssetSelection.groups(INGEST)


def unpartitioned_models(monthly: Sequence[dg.AssetsDefinition]) -> dg.AssetSelection:
    return dg.AssetSelection.groups(*TICKET_MODELS) - dg.AssetSelection.assets(*monthly)


def monthly_marts(monthly: Sequence[dg.AssetsDefinition]) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*monthly)


def reports() -> dg.AssetSelection:
    return dg.AssetSelection.groups(REPORTS)


def refresh(monthly: Sequence[dg.AssetsDefinition]) -> dg.AssetSelection:
    """Sync, every unpartitioned ticket model, then the dashboard and the snapshot."""
    return jira_ingest() | unpartitioned_models(monthly) | reports()
