"""The code location loads, and its graph is what reviewers expect."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import dagster as dg

from ticket_analytics.definitions import defs
from ticket_analytics.paths import PROJECT_ROOT

# A snapshot of the graph: adding, renaming or dropping an asset shows up in review here.
EXPECTED_ASSETS = {
    "analyst_snapshot",
    "catalog/categories",
    "catalog/category_hints",
    "catalog/required_fields",
    "dashboard_html",
    "fct_daily_flow",
    "fct_documentation_gaps",
    "fct_incident_trends",
    "fct_monthly_ops",
    "fct_tickets",
    "fct_toil_candidates",
    "int_issues__status_durations",
    "int_issues__status_visits",
    "int_jira__statuses",
    "int_tickets__request_templates",
    "int_tickets__required_fields",
    "raw/changelog",
    "raw/comments",
    "raw/issues",
    "raw/llm_classifications",
    "raw/rejected_issues",
    "sla_policies",
    "stg_jira__comments",
    "stg_jira__issues",
    "stg_jira__status_changes",
}


def _asset_keys() -> set[str]:
    graph = defs.resolve_asset_graph()
    return {key.to_user_string() for key in graph.get_all_asset_keys()}


def test_definitions_load_with_the_expected_assets() -> None:
    assert _asset_keys() >= EXPECTED_ASSETS


def test_every_model_asset_has_a_description_and_a_layer_group() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, f"{key.to_user_string()} has no description"
        assert node.group_name in {
            "ingest",
            "catalog",
            "seeds",
            "staging",
            "intermediate",
            "marts",
            "reports",
            "analysis",
        }


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


def test_the_monthly_schedule_builds_last_month_and_refreshes_two_before() -> None:
    schedule = defs.get_schedule_def("monthly_marts_schedule")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 11, 1, 6, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    requests = schedule.evaluate_tick(context).run_requests or []
    assert [r.partition_key for r in requests] == ["2025-10", "2025-09", "2025-08"]
