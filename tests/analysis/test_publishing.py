"""`report --publish` through the Dagster assets: one Confluence page updated in place, one
Slack message per publication, against local Confluence and Slack servers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.confluence_server import FakeConfluence
from fakes.slack_server import FakeSlack

from ticket_analytics.cli_report import report_months
from ticket_analytics.defs.analysis.resources import (
    ConfluenceResource,
    ReportResource,
    SlackResource,
)
from ticket_analytics.defs.resources import JiraResource

MONTH = "2025-10"
TITLE = f"Ops Monthly Report {MONTH}"
JIRA_URL = "https://jira.example.com"


@pytest.fixture
def warehouse(
    built_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    path = tmp_path / "w.duckdb"
    shutil.copy(built_warehouse, path)
    monkeypatch.setenv("TA_WAREHOUSE", str(path))
    monkeypatch.setenv("TA_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    yield path


def _resources(confluence: FakeConfluence, slack: FakeSlack, language: str) -> dict[str, object]:
    return {
        "confluence": ConfluenceResource(**confluence.settings_kwargs(), space_key="OPS"),
        "slack": SlackResource(webhook_url=slack.webhook_url),
        "report": ReportResource(language=language),
        # a Jira that is only linked to: the report runs never call it
        "jira": JiraResource(url=JIRA_URL),
    }


def test_publish_creates_the_page_then_updates_it_in_place_and_posts_once_per_change(
    warehouse: Path, tmp_path: Path
) -> None:
    with FakeConfluence(spaces={"OPS": "65537"}) as confluence, FakeSlack() as slack:
        first = report_months([MONTH], publish=True, resources=_resources(confluence, slack, "en"))
        assert all(r.success for r in first)
        [page] = confluence.pages_titled(TITLE)
        assert page.version == 1 and "This month at a glance" in page.body
        assert f'href="{JIRA_URL}/browse/OPS-' in page.body  # ticket keys link to Jira
        assert len(slack.messages) == 1

        again = report_months([MONTH], publish=True, resources=_resources(confluence, slack, "en"))
        assert all(r.success for r in again)
        assert [p.version for p in confluence.pages_titled(TITLE)] == [1]
        assert len(slack.messages) == 1, "an unchanged re-run posted again"

        changed = report_months(
            [MONTH], publish=True, resources=_resources(confluence, slack, "ko")
        )
        assert all(r.success for r in changed)
        [page] = confluence.pages_titled(TITLE)
        assert page.version == 2
        assert len(slack.messages) == 2
        assert len(json.dumps(slack.messages[-1])) < len(json.dumps(slack.messages[0]))


def test_a_month_without_tickets_is_never_published(warehouse: Path) -> None:
    """Zeros for the whole team mean a wrong month or a broken ingest: the files only."""
    with FakeConfluence(spaces={"OPS": "65537"}) as confluence, FakeSlack() as slack:
        results = report_months(
            ["2024-06"], publish=True, resources=_resources(confluence, slack, "en")
        )
        assert all(r.success for r in results)
        assert confluence.pages_titled("Ops Monthly Report 2024-06") == [] and slack.messages == []
    reasons = {
        str(e.asset_key.to_user_string()): e.materialization.metadata["reason"].value
        for e in results[-1].get_asset_materialization_events()
        if "reason" in e.materialization.metadata
    }
    assert reasons == dict.fromkeys(
        ["confluence_page", "slack_announcement"], "2024-06 has no tickets"
    )


def test_without_publish_the_page_preview_and_payload_are_files_only(
    warehouse: Path, tmp_path: Path
) -> None:
    with FakeConfluence(spaces={"OPS": "65537"}) as confluence, FakeSlack() as slack:
        results = report_months(
            [MONTH], publish=False, resources=_resources(confluence, slack, "en")
        )
        assert all(r.success for r in results)
        assert confluence.pages_titled(TITLE) == [] and slack.messages == []
    reports = tmp_path / "reports"
    for path in (
        reports / "confluence" / f"{MONTH}.xhtml",
        reports / "monthly" / f"{MONTH}.html",
        reports / "monthly" / f"{MONTH}.json",
        reports / "slack" / f"{MONTH}.json",
    ):
        assert path.stat().st_size > 0, path


def test_the_reduce_refuses_a_month_whose_batches_are_not_mapped(warehouse: Path) -> None:
    import dagster as dg

    from ticket_analytics.defs import analysis
    from ticket_analytics.runner import run

    result = run(
        dg.AssetSelection.assets(analysis.monthly_report), partition_key=MONTH, log_level="ERROR"
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "batch" in str(failure.step_failure_data.error.message)
