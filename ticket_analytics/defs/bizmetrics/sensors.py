"""The sensor that notices new or grown log files and asks for a bizmetrics run.

Its cursor, in Dagster, is every watched file's signature (inode, size, mtime); it never
opens the warehouse (DuckDB allows one writer, and a sensor is no writer). Which bytes of a
file are new is the ingester's business (its checkpoints); the sensor only says "something
changed", with a run key made of what changed, so the same change never runs twice and a
file that grows again asks for a new run.
"""

import hashlib
from pathlib import Path

import dagster as dg
import orjson

from ticket_analytics.bizlogs import discover, file_signature
from ticket_analytics.defs.bizmetrics.assets import BIZ_EVENTS_OP
from ticket_analytics.defs.bizmetrics.jobs import bizmetrics_job
from ticket_analytics.defs.bizmetrics.sources import LOGS_VARIABLE, watched_logs

Signatures = dict[str, list[int]]


def signatures(root: Path) -> Signatures:
    """{path: [inode, size, mtime_ns]} of the files under `root` (vanished ones skipped)."""
    found: Signatures = {}
    for path in discover(root):
        try:
            found[str(path)] = list(file_signature(path))
        except FileNotFoundError:  # rotated away between listing and stat
            continue
    return found


def changes(previous: Signatures, current: Signatures) -> list[str]:
    """Files that are new, or whose inode, size or mtime moved, in path order."""
    return sorted(path for path, seen in current.items() if previous.get(path) != seen)


def run_key(root: Path, current: Signatures, changed: list[str]) -> str:
    described = orjson.dumps([str(root), [[path, current[path]] for path in changed]])
    return "bizlogs-" + hashlib.sha256(described).hexdigest()[:20]


def _load(cursor: str | None) -> Signatures:
    if not cursor:
        return {}
    loaded = orjson.loads(cursor)
    return {str(k): list(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


@dg.sensor(
    name="bizlogs_sensor",
    job=bizmetrics_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=f"Watches the application logs ({LOGS_VARIABLE}, else the demo sample) and "
    "requests a bizmetrics_job run when a file appears or changes.",
)
def bizlogs_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    root = watched_logs()
    if not root.exists():
        return dg.SkipReason(f"{root} does not exist (set {LOGS_VARIABLE})")
    current = signatures(root)
    changed = changes(_load(context.cursor), current)
    cursor = orjson.dumps(current).decode()
    if not changed:
        return dg.SensorResult(
            skip_reason=dg.SkipReason("no new or grown log files"), cursor=cursor
        )
    shown = ", ".join(Path(p).name for p in changed[:5]) + (" …" if len(changed) > 5 else "")
    context.log.info(f"{len(changed)} new or changed log files: {shown}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=run_key(root, current, changed),
                run_config={"ops": {BIZ_EVENTS_OP: {"config": {"path": str(root)}}}},
                tags={"bizlogs/changed_files": str(len(changed))},
            )
        ],
        cursor=cursor,
    )
