"""Helpers for tests of the Jira sync against the local fake: run one, and compare the
warehouse with what the fake holds."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path

import duckdb
from fakes.jira_server import FakeJira
from jira_clients import client_for

from ticket_analytics.ingest.jira_sync import SyncOptions, SyncStats, sync_jira
from ticket_analytics.integrations.jira import JiraClient
from ticket_analytics.warehouse.connection import connect

SCOPE = "project = OPS"


def quick_client(fake: FakeJira, **overrides: object) -> JiraClient:
    """A client of `fake` that retries without waiting."""
    return client_for(fake, backoff_base_s=0.0, **overrides)


def run_sync(fake: FakeJira, warehouse: Path, max_retries: int = 6, **options: object) -> SyncStats:
    with quick_client(fake, max_retries=max_retries) as client:
        return sync_jira(client, partial(connect, warehouse), SyncOptions(scope=SCOPE, **options))  # type: ignore[arg-type]


def jira_truth(fake: FakeJira) -> dict[str, tuple[datetime, int, int]]:
    with fake.lock:
        issues = list(fake._issues.values())
    # Jira renders timestamps to the millisecond
    return {
        str(i.id): (
            i.updated.replace(microsecond=i.updated.microsecond // 1000 * 1000),
            len(i.histories),
            len(i.comments),
        )
        for i in issues
    }


def warehouse_truth(path: Path) -> dict[str, tuple[datetime, int, int]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        rows = conn.execute(
            """
            select
                issues.issue_id,
                issues.updated_at,
                (select count(*) from raw.changelog where changelog.issue_id = issues.issue_id),
                (select count(*) from raw.comments where comments.issue_id = issues.issue_id)
            from raw.issues as issues
            where deleted_at is null
            """
        ).fetchall()
    return {
        issue_id: (updated, histories, comments) for issue_id, updated, histories, comments in rows
    }


def assert_exact(fake: FakeJira, warehouse: Path) -> None:
    truth, stored = jira_truth(fake), warehouse_truth(warehouse)
    assert set(stored) - set(truth) == set(), "issues in the warehouse that Jira does not have"
    assert set(truth) - set(stored) == set(), "issues lost"
    assert stored == truth
