"""The raw_jira asset and `ingest --jira` drive the same sync, with secrets kept out of sight."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from fakes.jira_server import FakeJira

from ticket_analytics.defs.ingest.assets import RawJiraConfig, jira_counts_match, raw_jira
from ticket_analytics.defs.resources import JiraResource, WarehouseResource
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
    events = "\n".join(f"{e}\n{e!r}" for e in result.all_events)
    assert "STEP_SUCCESS" in events and fake.pat not in events
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


def _jira_run(tmp_path: Path, jira: JiraResource, **config: object) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_jira],
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")), "jira": jira},
        run_config={"ops": {"raw_jira": {"config": {"source": "jira", **config}}}},
        raise_on_error=False,
    )


def test_secrets_stay_out_of_the_resource_repr_and_a_failed_runs_events(tmp_path: Path) -> None:
    secrets = ("leaky.bot@example.com", "tok-SECRET-0123456789", "pat-SECRET-9876543210")
    with FakeJira("cloud") as fake:  # knows other credentials: every call is a 401
        jira = JiraResource(
            url=fake.url,
            flavor="cloud",
            email=secrets[0],
            api_token=secrets[1],
            pat=secrets[2],
            jql="project = OPS",
        )
        result = _jira_run(tmp_path, jira)
    assert not result.success and fake.counters["unauthorized"] >= 1
    texts = [repr(jira), str(jira), *(f"{e}\n{e!r}" for e in result.all_events)]
    assert any("HTTP 401" in text for text in texts), "the failure itself was not reported"
    for secret in secrets:
        assert not any(secret in text for text in texts), secret
    assert jira.api_token == secrets[1]  # hidden from reprs only


def test_reconcile_issue_ids_reach_the_cloud_search(tmp_path: Path) -> None:
    with FakeJira("cloud", search_lag_seconds=600) as fake:
        fake.make_issues(5, datetime(2025, 10, 1, tzinfo=UTC))
        written = fake.get(fake.add_issue())  # just written: search does not see it yet
        jira = JiraResource(
            url=fake.url, email=fake.email, api_token=fake.api_token, jql="project = OPS"
        )
        result = _jira_run(tmp_path, jira, reconcile_issue_ids=[written.id])
        bodies = [r.body for r in fake.requests_to("/search/jql")]
    assert result.success
    assert bodies[0]["reconcileIssues"] == [written.id]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        keys = {k for (k,) in conn.execute("select issue_key from raw.issues").fetchall()}
    assert written.key in keys and len(keys) == 6


def test_the_hourly_schedule_syncs_jira_and_never_loads_the_sample(
    warehouse_file: Path, tmp_path: Path
) -> None:
    from ticket_analytics.definitions import defs

    schedule = defs.resolve_schedule_def("hourly_refresh")
    [request] = schedule.evaluate_tick(dg.build_schedule_context()).run_requests or []
    assert request.run_config == {"ops": {"raw_jira": {"config": {"source": "jira"}}}}
    job = defs.resolve_job_def(schedule.job_name)
    assert dg.validate_run_config(job, request.run_config)
    result = dg.materialize(
        [raw_jira],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse_file)),
            "jira": JiraResource(),
        },
        run_config=request.run_config,
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "Jira is not configured: set JIRA_URL" in str(failure)
    assert not any((tmp_path / "sample").glob("*")), "the sample was generated anyway"


def test_more_than_50_reconcile_ids_are_refused() -> None:
    with pytest.raises(Exception, match="50"):
        RawJiraConfig(reconcile_issue_ids=list(range(51)))
