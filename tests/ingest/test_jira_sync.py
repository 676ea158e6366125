"""The Jira sync against a real local fake Jira, both flavours, faults on: nothing lost."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import duckdb
import pytest
from fakes.jira_server import FakeJira
from jira_clients import START
from jira_sync_support import (
    SCOPE,
    assert_exact,
    quick_client,
    run_sync,
)

from ticket_analytics.ingest.jira_sync import SyncOptions, sync_jira
from ticket_analytics.integrations.jira import JiraError
from ticket_analytics.warehouse.connection import connect

# What the first sync of SCOPE searches (no watermark yet).
FIRST_JQL = "(project = OPS) ORDER BY updated ASC, key ASC"


def test_a_first_sync_loads_exactly_jiras_issues_with_full_changelogs(
    fake: FakeJira, tmp_path: Path
) -> None:
    stats = run_sync(fake, tmp_path / "w.duckdb")
    assert_exact(fake, tmp_path / "w.duckdb")
    assert stats.inserted == 230 and stats.jira_count == stats.warehouse_count == 230
    if fake.flavor == "cloud":
        assert stats.changelog_fetches > 0  # some issues have more than the 20 embedded histories


def test_faults_are_retried_and_nothing_is_lost_or_duplicated(
    fake: FakeJira, tmp_path: Path
) -> None:
    fake.rate_limit_next(2, retry_after=1)
    fake.fail_next(1, status=500)
    fake.fail_next(1, status=502)
    fake.fail_next(1, status=503, retry_after=1)
    fake.drop_next(2)
    fake.slow_next(1, seconds=0.2)
    fake.max_page_size = 37
    stats = run_sync(fake, tmp_path / "w.duckdb", max_retries=10, page_size=100)
    assert_exact(fake, tmp_path / "w.duckdb")
    assert stats.retries >= 7 and stats.rate_limited >= 2


def _touch_first_read_issues_mid_pass(fake: FakeJira) -> list[str]:
    """After the first page is served, update the first 3 issues it held: they re-sort to
    the end and every unread issue shifts 3 places left, across the page boundary."""
    keys = [issue.key for issue in fake.matching(FIRST_JQL)[:3]]
    served = fake.counters["search_pages"]

    def touch(page: int) -> None:
        if page == served + 1:
            for key in keys:
                fake.update_issue(key, status="In Progress", at=fake.clock())

    fake.on_page(touch)
    return keys


def test_issues_updated_while_a_sync_runs_end_at_their_latest_version(
    fake: FakeJira, tmp_path: Path
) -> None:
    # The shift is real: with one pass only, Cloud (page tokens are offsets) skips 3 unread
    # issues, which only the safety-net full pass finds; Data Center's client re-reads them.
    _touch_first_read_issues_mid_pass(fake)
    single = run_sync(fake, tmp_path / "single.duckdb", page_size=50, max_passes=1)
    assert single.recovered == (3 if fake.flavor == "cloud" else 0)
    assert single.watermark is None, "a pass that saw concurrent changes advanced the watermark"
    assert any("still changing" in note for note in single.notes)

    # Repeating the pass is what keeps them: nothing lost, nothing left for the full pass.
    _touch_first_read_issues_mid_pass(fake)
    stats = run_sync(fake, tmp_path / "w.duckdb", page_size=50)
    fake.on_page(None)
    assert_exact(fake, tmp_path / "w.duckdb")
    assert stats.passes == 2 and stats.recovered == 0 and stats.watermark is not None


def test_an_issue_updated_a_minute_before_the_sync_needs_one_pass(
    small: FakeJira, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    run_sync(small, warehouse)
    small.update_issue("OPS-7", summary="changed", at=small.clock() - timedelta(seconds=60))
    stats = run_sync(small, warehouse)
    assert stats.passes == 1 and stats.updated == 1
    full = run_sync(small, tmp_path / "full.duckdb", full=True)
    assert full.passes == 1 and full.fetched == 40
    assert_exact(small, warehouse)


def test_changes_in_every_pass_leave_the_watermark_where_it_was(
    small: FakeJira, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    first = run_sync(small, warehouse)
    small.update_issue("OPS-3", summary="edited", at=small.clock())
    keys = iter(f"OPS-{n}" for n in range(10, 40))

    def keep_editing(_page: int) -> None:
        small.update_issue(next(keys), summary="edited again", at=small.clock())

    small.on_page(keep_editing)
    stats = run_sync(small, warehouse, max_passes=2)
    small.on_page(None)
    assert stats.passes == 2
    assert any("still changing" in note for note in stats.notes)
    assert stats.watermark == first.watermark
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        [(stored,)] = conn.execute("select watermark from meta.jira_sync_state").fetchall()
    assert stored.isoformat() == first.watermark
    again = run_sync(small, warehouse)  # reads the window again, and this time finishes
    assert again.watermark is not None and first.watermark is not None
    assert again.watermark > first.watermark
    assert_exact(small, warehouse)


def test_incremental_sync_picks_up_changes_new_issues_and_deletions(
    fake: FakeJira, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    run_sync(fake, warehouse)
    before = len(fake.requests)
    fake.update_issue("OPS-7", summary="changed", at=fake.clock())
    fake.make_issues(3, fake.clock() - timedelta(minutes=1))
    fake.delete_issue("OPS-9")
    stats = run_sync(fake, warehouse, full_pass_every=timedelta(0))
    assert_exact(fake, warehouse)
    assert stats.deleted == 1
    assert stats.fetched < 50, "the incremental sync re-read far more than the overlap window"
    assert len(fake.requests) - before < 30


def test_issues_hidden_by_search_lag_are_caught_by_the_next_sync(tmp_path: Path) -> None:
    now = [datetime.now(UTC)]
    with FakeJira(
        "cloud", time_zone="America/Los_Angeles", search_lag_seconds=3600, clock=lambda: now[0]
    ) as fake:
        fake.make_issues(20, now[0] - timedelta(days=2), spacing=timedelta(hours=2, minutes=30))
        warehouse = tmp_path / "w.duckdb"
        first = run_sync(fake, warehouse)
        hidden = 20 - first.fetched
        assert hidden > 0, "the fake's lag hid nothing; the test proves nothing"
        now[0] += timedelta(hours=2)  # the index catches up
        second = run_sync(fake, warehouse)
        assert second.inserted == hidden
        assert_exact(fake, warehouse)


def test_full_resync_refetches_everything(fake: FakeJira, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    run_sync(fake, warehouse)
    stats = run_sync(fake, warehouse, full=True)
    assert stats.fetched == 230 and stats.unchanged == 230 and stats.full_pass
    assert_exact(fake, warehouse)


def test_secrets_never_reach_logs_or_errors(
    fake: FakeJira, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail_next(20, status=503)
    with quick_client(fake, max_retries=2) as client, pytest.raises(JiraError) as error:
        sync_jira(client, partial(connect, tmp_path / "w.duckdb"), SyncOptions(scope=SCOPE))
    secrets = [fake.api_token, fake.pat, fake.email]
    text = f"{error.value}\n{error.value!r}\n{caplog.text}\n{client!r}"
    assert not any(secret in text for secret in secrets)
    assert "503" in str(error.value)


def _scopes_and_sources(warehouse: Path) -> tuple[list[str], set[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        scopes = [s for (s,) in conn.execute("select scope from meta.jira_sync_state").fetchall()]
        sources = {s for (s,) in conn.execute("select distinct source from raw.issues").fetchall()}
    return scopes, sources


def test_reordering_or_respacing_the_jql_keeps_the_same_scope(
    small: FakeJira, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    run_sync(small, warehouse)
    small.delete_issue("OPS-9")
    small.update_issue("OPS-4", summary="changed", at=small.clock())
    edited = "  project   =  OPS\n  ORDER BY created DESC "
    with quick_client(small) as client:
        options = SyncOptions(scope=edited, full_pass_every=timedelta(0))
        stats = sync_jira(client, partial(connect, warehouse), options)
    assert stats.fetched < 10, "the edited JQL started over instead of resuming"
    assert stats.deleted == 1 and stats.warehouse_count == stats.jira_count == 39
    assert_exact(small, warehouse)
    assert _scopes_and_sources(warehouse) == (["project = OPS"], {"jira:project = OPS"})


def test_rows_loaded_under_another_spelling_or_scope_are_claimed(
    small: FakeJira, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    run_sync(small, warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        # Earlier versions keyed rows by the raw JQL; another scope may have loaded some.
        conn.execute("update raw.issues set source = 'jira:project = OPS  ORDER BY key'")
        conn.execute(
            "update raw.issues set source = 'jira:project in (OPS, ADM)' "
            "where issue_key in ('OPS-20', 'OPS-21')"
        )
        conn.execute("update meta.jira_sync_state set scope = 'project = OPS  ORDER BY key'")
    small.delete_issue("OPS-12")
    stats = run_sync(small, warehouse, full_pass_every=timedelta(0))
    assert stats.fetched < 10, "the older spelling's watermark was not carried over"
    assert stats.deleted == 1 and stats.warehouse_count == 39
    assert_exact(small, warehouse)
    assert _scopes_and_sources(warehouse) == (["project = OPS"], {"jira:project = OPS"})


@pytest.mark.parametrize("vanish", [24, 40])
def test_the_full_pass_never_marks_most_of_a_scope_deleted(
    small: FakeJira, tmp_path: Path, vanish: int, caplog: pytest.LogCaptureFixture
) -> None:
    warehouse = tmp_path / "w.duckdb"
    run_sync(small, warehouse)
    for n in range(1, vanish + 1):  # 60% of the scope, or all of it (Jira returns 0 ids)
        small.delete_issue(f"OPS-{n}")
    stats = run_sync(small, warehouse, full_pass_every=timedelta(0))
    assert stats.deleted == 0 and stats.warehouse_count == 40
    [note] = [n for n in stats.notes if "marked none" in n]
    assert f"{vanish} of its 40 live issues" in note
    assert "marked none" in caplog.text


def test_the_full_pass_loads_jiras_ids_in_one_statement(tmp_path: Path) -> None:
    n = 50_000  # its speed is benchmarks/bench_jira_sync.py's to measure
    with FakeJira("cloud") as fake:
        fake.make_issues(n, START, spacing=timedelta(minutes=1), histories=(0, 0), comments=(0, 0))
        warehouse = tmp_path / "w.duckdb"
        with connect(warehouse) as conn:  # the warehouse already has them all
            conn.execute(
                "insert into raw.issues (issue_id, issue_key, created_at, updated_at, payload,"
                " source, fetched_at) select (10000 + i)::varchar, 'OPS-' || (i + 1), now(),"
                " now(), '{}'::json, 'jira:project = OPS', now() from range(?) t(i)",
                [n],
            )
            conn.execute(
                "insert into meta.jira_sync_state (scope, watermark) values (?, ?)",
                [SCOPE, datetime(2100, 1, 1, tzinfo=UTC)],
            )
        stats = run_sync(fake, warehouse)
    assert stats.full_pass and stats.fetched == 0 and stats.recovered == stats.deleted == 0
    assert stats.warehouse_count == n


def test_the_sync_records_the_profile_zone_the_team_calendar_defaults_to(
    small: FakeJira, tmp_path: Path
) -> None:
    from ticket_analytics.calendar import apply, team_calendar

    warehouse = tmp_path / "w.duckdb"
    run_sync(small, warehouse)
    with connect(warehouse) as conn:
        assert conn.execute("select time_zone from meta.jira_sync_state").fetchall() == [
            ("Asia/Seoul",)
        ]
        unset = dataclasses.replace(team_calendar(), time_zone=None)
        assert apply(conn, unset) == "Asia/Seoul"
