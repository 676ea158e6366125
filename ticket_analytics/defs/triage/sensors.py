"""The triage sensor: polls the tracker, asks for one run per batch of ticket keys.

The cursor (which ticket states were requested, when) lives in Dagster; the sensor never
opens the warehouse. With the local tracker, which lives in the warehouse, it skips:
`ticket-analytics triage --once` polls that one.
"""

import time
from collections.abc import Mapping
from typing import Any

import dagster as dg

from ticket_analytics.defs.triage.assets import DECISIONS_OP, run_config
from ticket_analytics.defs.triage.jobs import TRIAGE_JOB, triage_job
from ticket_analytics.defs.triage.resources import TriageResource
from ticket_analytics.triage.polling import (
    dump_cursor,
    interval_seconds,
    load_cursor,
    pending_from_issue,
    plan_poll,
    run_key,
)

_UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def _now() -> float:
    return time.time()


def in_flight_keys(instance: dg.DagsterInstance, job_name: str) -> set[str]:
    """Ticket keys of the job's runs that have not finished (from Dagster's run storage)."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name, statuses=_UNFINISHED))
    keys: set[str] = set()
    for run in runs:
        config: Any = run.run_config or {}
        for step in ("ops", DECISIONS_OP, "config", "keys"):
            config = config.get(step) if isinstance(config, Mapping) else None
        keys.update(str(key) for key in config or ())
    return keys


@dg.sensor(
    name="triage_sensor",
    job=triage_job,
    minimum_interval_seconds=interval_seconds(),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Polls the tracker (TRIAGE_JQL, and NEEDS_INFO tickets updated in the last "
    "day) and requests one triage run per batch of ticket keys.",
)
def triage_sensor(
    context: dg.SensorEvaluationContext, triage: TriageResource
) -> dg.SensorResult | dg.SkipReason:
    if not triage.uses_jira:
        return dg.SkipReason(
            "the local tracker lives in the warehouse, which a sensor never opens: "
            "run `ticket-analytics triage --once` (or set JIRA_URL)"
        )
    labels, mode = triage.labels(), triage.run_mode()
    with triage.open() as tracker:
        issues = tracker.find_new(triage.query(), triage.poll_limit)
        pending = [
            pending_from_issue(issue, labels, tracker.flavor, tracker.embedded_comments)
            for issue in issues
        ]
    plan = plan_poll(
        pending,
        load_cursor(context.cursor),
        in_flight_keys(context.instance, TRIAGE_JOB),
        live=mode == "live",
        now=_now(),
        batch_size=triage.batch_size,
    )
    requests = [
        dg.RunRequest(
            run_key=run_key(batch),
            run_config=run_config([key for key, _, _ in batch], mode),
            tags={"triage/tickets": str(len(batch)), "triage/mode": mode},
        )
        for batch in plan.batches
    ]
    if not requests:
        context.log.info(
            f"{len(pending)} pending, {len(plan.in_flight)} in flight, "
            f"{len(plan.waiting)} backing off after a failure: nothing to request"
        )
    return dg.SensorResult(run_requests=requests, cursor=dump_cursor(plan.cursor))
