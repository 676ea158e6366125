"""The triage job: one pass over the tickets in its run config, verdicts and metrics."""

import dagster as dg

from ticket_analytics.defs import selections

TRIAGE_JOB = "triage_job"

triage_job = dg.define_asset_job(
    TRIAGE_JOB,
    selection=dg.AssetSelection.groups(selections.TRIAGE),
    description="One triage pass over the tickets in its run config (comment + label in the "
    "tracker, decisions recorded), the analyzer's verdicts and the triage metrics models.",
    # seconds count here: a step in its own process costs ~1.7 s, the whole pass ~0.1 s
    executor_def=dg.in_process_executor,
)
