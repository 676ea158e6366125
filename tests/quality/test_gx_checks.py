"""Great Expectations suites on the staging models, plain and as Dagster asset checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from ticket_analytics.defs.models.assets import build_model_assets
from ticket_analytics.defs.quality.checks import gx_checks
from ticket_analytics.defs.resources import WarehouseResource
from ticket_analytics.paths import MODELS_DIR, PROJECT_ROOT
from ticket_analytics.quality.gx_suites import (
    SUITES,
    ExpectationOutcome,
    GxValidationError,
    load_frame,
    validate_frame,
    validate_model,
)
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.file_ingest import ingest_files
from ticket_analytics.warehouse.model_project import load_project
from ticket_analytics.warehouse.models import build_model, run_test

STAGING = ("stg_jira__issues", "stg_jira__status_changes", "stg_jira__comments")


def _issue(n: int, **fields: Any) -> dict[str, Any]:
    key = f"OPS-{n}"
    base: dict[str, Any] = {
        "summary": f"Grant access for {key}",
        "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
        "priority": {"name": "High"},
        "issuetype": {"name": "Service Request"},
        "created": "2025-03-01T09:00:00.000+0000",
        "updated": "2025-03-02T09:00:00.000+0000",
        "resolutiondate": None,
        "comment": {
            "comments": [
                {"id": f"{n}01", "body": "On it.", "created": "2025-03-01T10:00:00.000+0000"}
            ]
        },
    }
    history = {
        "id": f"{n}1",
        "created": "2025-03-01T11:00:00.000+0000",
        "items": [{"field": "status", "fromString": "Open", "toString": "In Progress"}],
    }
    return {
        "id": str(1000 + n),
        "key": key,
        "fields": {**base, **fields},
        "changelog": {"histories": [history]},
    }


def _clean_issues() -> list[dict[str, Any]]:
    return [_issue(n) for n in range(1, 6)]


def _warehouse(tmp_path: Path, issues: list[dict[str, Any]]) -> Path:
    page = tmp_path / "export" / "page.json"
    page.parent.mkdir()
    page.write_text(json.dumps({"issues": issues, "isLast": True}), encoding="utf-8")
    path = tmp_path / "w.duckdb"
    project = load_project(MODELS_DIR / "staging")
    with connect(path) as conn:
        ingest_files(conn, page)
        for name in STAGING:
            build_model(conn, project.models[name])
    return path


def _outcomes(path: Path) -> dict[str, ExpectationOutcome]:
    with connect(path, read_only=True) as conn:
        return {o.name: o for model in STAGING for o in validate_model(conn, model)}


def _failed(outcomes: dict[str, ExpectationOutcome]) -> set[str]:
    return {name for name, outcome in outcomes.items() if not outcome.success}


def _duplicate_issue(path: Path, key: str) -> None:
    with duckdb.connect(str(path)) as conn:
        # staging models are views: the duplicate goes where they read from
        conn.execute("insert into raw.issues select * from raw.issues where issue_key = ?", [key])


def _staging_assets() -> list[dg.AssetsDefinition]:
    return build_model_assets(load_project(MODELS_DIR / "staging"))


def test_the_code_location_does_not_import_great_expectations() -> None:
    probe = "import sys, ticket_analytics.definitions; print('great_expectations' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=PROJECT_ROOT,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_clean_tickets_pass_every_expectation(tmp_path: Path) -> None:
    outcomes = _outcomes(_warehouse(tmp_path, _clean_issues()))
    assert set(outcomes) == {e.name for s in SUITES.values() for e in s.expectations}
    assert _failed(outcomes) == set()
    assert outcomes["gx_resolved_after_created"].element_count == 5
    assert outcomes["gx_body_not_empty"].element_count == 5


def test_keys_are_checked_once_by_the_yml_tests_not_again_by_the_suites(
    tmp_path: Path,
) -> None:
    path = _warehouse(tmp_path, _clean_issues())
    _duplicate_issue(path, "OPS-2")
    # the suites read issues too, but a duplicate must not fail them a second time
    assert _failed(_outcomes(path)) == set()
    model = load_project(MODELS_DIR / "staging").models["stg_jira__issues"]
    [unique] = [t for t in model.tests if t.name == "unique__issue_id"]
    with connect(path, read_only=True) as conn:
        result = run_test(conn, unique)
    assert (result.passed, unique.blocking, result.examples) == (False, True, ("1002",))


def test_suspicious_but_possible_tickets_only_warn(tmp_path: Path) -> None:
    issues = [
        *_clean_issues(),
        _issue(6, resolutiondate="2025-02-27T09:00:00.000+0000"),
        _issue(7, summary="", status={"name": "Weird", "statusCategory": {"key": "limbo"}}),
        _issue(8, created="2099-01-01T00:00:00.000+0000", updated="2099-01-01T00:00:00.000+0000"),
        _issue(9, updated="2025-02-01T00:00:00.000+0000"),
    ]
    issues[0]["fields"]["comment"]["comments"][0] |= {
        "body": "",
        "created": "2025-02-01T00:00:00.000+0000",
    }
    issues[1]["changelog"]["histories"][0]["items"][0]["fromString"] = "In Progress"
    issues[7]["fields"]["comment"]["comments"][0]["created"] = "2099-01-01T01:00:00.000+0000"
    issues[7]["changelog"]["histories"][0]["created"] = "2099-01-01T02:00:00.000+0000"
    outcomes = _outcomes(_warehouse(tmp_path, issues))
    assert _failed(outcomes) == {
        "gx_resolved_after_created",
        "gx_updated_after_created",
        "gx_status_category_known",
        "gx_summary_not_empty",
        "gx_created_not_in_future",
        "gx_comment_after_issue_created",
        "gx_body_not_empty",
        "gx_from_status_differs",
        "gx_changed_not_in_future",
    }
    assert outcomes["gx_resolved_after_created"].examples == ("OPS-6",)
    assert outcomes["gx_comment_after_issue_created"].examples == ("OPS-1",)
    assert outcomes["gx_from_status_differs"].examples == ("OPS-2",)
    assert outcomes["gx_created_not_in_future"].examples == ("OPS-8",)


def test_an_expectation_that_cannot_run_is_an_error_not_a_failure(tmp_path: Path) -> None:
    with connect(_warehouse(tmp_path, _clean_issues()), read_only=True) as conn:
        frame = load_frame(conn, "stg_jira__comments").drop(columns="body_text")
    with pytest.raises(GxValidationError, match=r"gx_body_not_empty.*body_text"):
        validate_frame("stg_jira__comments", frame)


def test_dagster_runs_the_suites_as_checks_after_the_models(tmp_path: Path) -> None:
    path = _warehouse(
        tmp_path, [*_clean_issues(), _issue(6, resolutiondate="2025-02-27T09:00:00.000+0000")]
    )
    result = dg.materialize(
        [*_staging_assets(), *gx_checks],
        resources={"warehouse": WarehouseResource(path=str(path))},
    )
    assert result.success
    evaluations = {
        e.check_name: e
        for e in result.get_asset_check_evaluations()
        if e.check_name.startswith("gx_")
    }
    assert set(evaluations) == {e.name for s in SUITES.values() for e in s.expectations}
    warned = evaluations["gx_resolved_after_created"]
    assert (warned.passed, warned.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert warned.metadata["unexpected_count"].value == 1
    assert warned.metadata["element_count"].value == 6
    assert warned.metadata["unexpected_percent"] == dg.MetadataValue.float(16.667)
    assert warned.metadata["examples"].value == "OPS-6"
    assert {e.severity for e in evaluations.values()} == {dg.AssetCheckSeverity.WARN}
    assert all(e.passed for name, e in evaluations.items() if name != "gx_resolved_after_created")


def _statuses_behind_issues(path: Path) -> dg.ExecuteInProcessResult:
    """int_jira__statuses refs stg_jira__issues, so the issues' checks gate it."""
    return dg.materialize(
        [*build_model_assets(load_project()), *gx_checks],
        selection=dg.AssetSelection.assets("stg_jira__issues", "int_jira__statuses")
        | dg.AssetSelection.checks_for_assets("stg_jira__issues"),
        resources={"warehouse": WarehouseResource(path=str(path))},
        raise_on_error=False,
    )


def test_a_suite_warning_never_stops_the_downstream_model(tmp_path: Path) -> None:
    path = _warehouse(
        tmp_path, [*_clean_issues(), _issue(6, created="2099-01-01T00:00:00.000+0000")]
    )
    result = _statuses_behind_issues(path)
    assert result.success
    built = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey("int_jira__statuses") in built
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert {e.check_name for e in failed} >= {"gx_created_not_in_future"}
    assert {e.severity for e in failed} == {dg.AssetCheckSeverity.WARN}


def test_a_broken_key_stops_the_downstream_model(tmp_path: Path) -> None:
    path = _warehouse(tmp_path, _clean_issues())
    # Straight into raw: a merge would never write it.
    _duplicate_issue(path, "OPS-3")
    blocked = _statuses_behind_issues(path)
    assert not blocked.success
    built = {e.asset_key for e in blocked.get_asset_materialization_events()}
    assert dg.AssetKey("int_jira__statuses") not in built
    failed = {
        e.check_name: e
        for e in blocked.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    }
    assert set(failed) == {"unique__issue_id"}
    assert failed["unique__issue_id"].metadata["examples"].value == "1003"
