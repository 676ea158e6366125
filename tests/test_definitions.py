"""The code location loads, and its graph is what reviewers expect."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from ticket_analytics.definitions import defs
from ticket_analytics.defs import selections
from ticket_analytics.paths import PROJECT_ROOT

# A snapshot of the graph: adding, renaming or dropping an asset, check, job, schedule or
# sensor shows up in review here. After a deliberate change, regenerate it with
#   .venv/bin/python -c "from test_definitions import snapshot; print(snapshot())" > FILE
# (run from tests/) and read the diff.
SNAPSHOT = Path(__file__).with_name("definitions.snapshot")


def snapshot() -> str:
    graph = defs.resolve_asset_graph()
    lines = [f"asset {key.to_user_string()}" for key in graph.get_all_asset_keys()]
    lines += [f"check {k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys]
    lines += [f"job {job.name}" for job in defs.resolve_all_job_defs() if "__" not in job.name]
    lines += [f"schedule {s.name}" for s in defs.schedules or []]
    lines += [f"sensor {s.name}" for s in defs.sensors or []]
    return "\n".join(sorted(lines)) + "\n"


def test_the_definitions_are_exactly_the_reviewed_snapshot() -> None:
    assert snapshot() == SNAPSHOT.read_text(encoding="utf-8")


def test_every_asset_has_a_description_and_a_known_group() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, f"{key.to_user_string()} has no description"
        assert node.group_name in selections.GROUPS, f"{key.to_user_string()}: {node.group_name}"


def test_staging_keys_have_blocking_checks() -> None:
    graph = defs.resolve_asset_graph()
    checks = {
        (k.asset_key.to_user_string(), k.name): graph.get_check_spec(k)
        for k in graph.asset_check_keys
    }
    assert checks[("stg_jira__issues", "unique__issue_id")].blocking
    assert not checks[("stg_jira__issues", "accepted_values__status_category")].blocking


def test_staging_models_depend_on_raw_tables() -> None:
    graph = defs.resolve_asset_graph()
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey("stg_jira__issues")).parent_keys}
    assert parents == {"raw/issues"}


def test_dagster_validates_the_workspace() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("tick", "months"),
    [
        (datetime(2025, 11, 1, 6), ["2025-10", "2025-09", "2025-08"]),
        # TA_FIRST_MONTH is 2024-01 in the tests: a month before it is no partition
        (datetime(2024, 2, 1, 6), ["2024-01"]),
    ],
)
def test_the_monthly_schedule_builds_last_month_and_refreshes_two_before(
    tick: datetime, months: list[str]
) -> None:
    schedule = defs.get_schedule_def("monthly_marts_schedule")
    # the daemon's tick, in the schedule's zone (TA_TIMEZONE, whatever it is here)
    tick = tick.replace(tzinfo=ZoneInfo(schedule.execution_timezone or "UTC"))
    context = dg.build_schedule_context(
        scheduled_execution_time=tick, repository_def=defs.get_repository_def()
    )
    requests = schedule.evaluate_tick(context).run_requests or []
    assert [r.partition_key for r in requests] == months


@pytest.mark.parametrize(
    ("zone", "tick", "month"),
    [
        # 06:00 UTC on the 1st was still the 30th in Los Angeles: November was not over
        ("America/Los_Angeles", "2025-12-01T06:00:00-08:00", "2025-11"),
        # and in Seoul the 1st begins on the 30th, UTC: November's key must exist by then
        ("Asia/Seoul", "2025-12-01T06:00:00+09:00", "2025-11"),
    ],
)
def test_monthly_schedules_and_keys_follow_the_team_time_zone(
    zone: str, tick: str, month: str
) -> None:
    script = f"""
import re
from datetime import datetime
import dagster as dg
from ticket_analytics.definitions import defs
from ticket_analytics.defs.models.partitions import MONTHLY

tick = datetime.fromisoformat({tick!r})
assert MONTHLY.get_partition_keys(current_time=tick)[-1] == {month!r}
for name in ("monthly_marts_schedule", "monthly_analysis_schedule"):
    schedule = defs.get_schedule_def(name)
    assert schedule.execution_timezone == {zone!r}, schedule.execution_timezone
    context = dg.build_schedule_context(
        scheduled_execution_time=tick, repository_def=defs.get_repository_def()
    )
    requests = schedule.evaluate_tick(context).run_requests or []
    print(name, sorted({{re.search(r"\\d{{4}}-\\d\\d", str(r.partition_key))[0] for r in requests}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=PROJECT_ROOT,
        env={**os.environ, "TA_TIMEZONE": zone, "TA_FIRST_MONTH": "2025-01"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "monthly_marts_schedule ['2025-09', '2025-10', '2025-11']",
        f"monthly_analysis_schedule ['{month}']",
    ]
