"""The raw_jira asset and `ingest --jira` drive the same sync, with secrets kept out of sight."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
from fakes.jira_server import FakeJira

from ticket_analytics.defs.ingest.assets import jira_counts_match, raw_jira
from ticket_analytics.defs.ingest.resources import JiraResource
from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.paths import PROJECT_ROOT


def test_the_asset_syncs_jira_and_reports_run_metadata(tmp_path: Path) -> None:
    with FakeJira("datacenter", time_zone="Asia/Seoul") as fake:
        fake.make_issues(120, datetime(2025, 10, 1, tzinfo=UTC), spacing=timedelta(hours=3))
        result = dg.materialize(
            [raw_jira, jira_counts_match],
            resources={
                "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
                "jira": JiraResource(
                    url=fake.url, flavor="datacenter", pat=fake.pat, jql="project = OPS"
                ),
            },
        )
    assert result.success
    issues = next(
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key == dg.AssetKey(["raw", "issues"])
    )
    metadata = {k: v.value for k, v in issues.metadata.items()}
    assert (
        metadata["source"] == "jira" and metadata["fetched"] == 120 and metadata["inserted"] == 120
    )
    assert {"pages", "updated", "unchanged", "retries", "duration_s"} <= set(metadata)
    assert fake.pat not in repr(issues.metadata)
    [check] = result.get_asset_check_evaluations()
    assert check.passed


def test_cli_ingest_jira_syncs_from_environment_variables(tmp_path: Path) -> None:
    with FakeJira("cloud") as fake:
        fake.make_issues(30, datetime(2025, 10, 1, tzinfo=UTC))
        env = {
            **os.environ,
            "TA_WAREHOUSE": str(tmp_path / "w.duckdb"),
            "DAGSTER_HOME": str(tmp_path / "home"),
            "JIRA_URL": fake.url,
            "JIRA_EMAIL": fake.email,
            "JIRA_API_TOKEN": fake.api_token,
            "JIRA_JQL": "project = OPS",
        }
        done = subprocess.run(
            [sys.executable, "-m", "ticket_analytics.cli", "ingest", "--jira"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "raw/issues" in done.stdout and "30 rows" in done.stdout
    assert fake.api_token not in done.stdout + done.stderr
