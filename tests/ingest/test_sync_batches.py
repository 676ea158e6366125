"""A sync's batches: they close by count or size, commit with their watermark in a thread of
their own, resume where a killed sync stopped, and land in the sync's own row groups."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fakes.jira_server import FakeJira
from jira_clients import START
from jira_sync_support import SCOPE, assert_exact, quick_client, run_sync, warehouse_truth

from ticket_analytics.ingest import sync_batches
from ticket_analytics.ingest.jira_sync import SyncOptions, sync_jira
from ticket_analytics.ingest.sync_batches import SYNC_ROW_GROUP_SIZE
from ticket_analytics.jira.adf_worker import AdfWorker
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.raw_load import RawLoader


class Killed(Exception):
    pass


@pytest.mark.parametrize(
    ("batches", "killed_at"),
    [
        ({"commit_every": 50}, "page 2:"),
        # at Jira's weight a thousand issues are 100 MB: a batch also closes by size
        ({"commit_every": 10**6, "commit_bytes": 1}, "page 3:"),
    ],
    ids=["by-count", "by-bytes"],
)
def test_a_killed_sync_resumes_from_its_last_committed_batch(
    fake: FakeJira, tmp_path: Path, batches: dict[str, int], killed_at: str
) -> None:
    warehouse = tmp_path / "w.duckdb"

    def kill(message: str) -> None:
        if message.startswith(killed_at):
            raise Killed

    options = SyncOptions(scope=SCOPE, page_size=50, **batches)
    with quick_client(fake) as client, pytest.raises(Killed):
        sync_jira(client, partial(connect, warehouse), options, progress=kill)
    assert 0 < len(warehouse_truth(warehouse)) < 230
    stats = run_sync(fake, warehouse, page_size=50)
    assert_exact(fake, warehouse)
    assert stats.fetched < 230, "the resumed sync started over"


def test_a_failed_commit_fails_the_sync_and_keeps_the_watermark_with_its_rows(
    fake: FakeJira, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches commit in a thread of their own; a failure there still stops the sync, and
    what landed before it is exactly what the stored watermark says."""
    warehouse = tmp_path / "w.duckdb"
    commit, commits = RawLoader.commit, []

    def second_fails(self: RawLoader, *args: Any, **kwargs: Any) -> Any:
        commits.append(1)
        if len(commits) == 2:
            raise duckdb.IOException("disk full")
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(RawLoader, "commit", second_fails)
    options = SyncOptions(scope=SCOPE, page_size=50, commit_every=50)
    with quick_client(fake) as client, pytest.raises(duckdb.IOException, match="disk full"):
        sync_jira(client, partial(connect, warehouse), options)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        [(watermark, newest, count)] = conn.execute(
            "select (select max(watermark) from meta.jira_sync_state), max(updated_at), count(*)"
            " from raw.issues"
        ).fetchall()
    assert count == 50 and watermark == newest
    monkeypatch.undo()
    run_sync(fake, warehouse, page_size=50)
    assert_exact(fake, warehouse)


@pytest.mark.parametrize(("reconnect_every", "pass_connections"), [(10, 1), (3, 2), (1, 4)])
def test_a_pass_commits_its_pages_on_a_connection_it_reopens_now_and_then(
    small: FakeJira,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reconnect_every: int,
    pass_connections: int,
) -> None:
    """Not one connection per page (reopening and checkpointing the file cost more than the
    page), nor one for a whole pass: DuckDB's memory in it grows with what it wrote."""
    monkeypatch.setattr(sync_batches, "RECONNECT_EVERY", reconnect_every)
    warehouse, opened = tmp_path / "w.duckdb", []

    @contextmanager
    def counted(**options: Any) -> Iterator[duckdb.DuckDBPyConnection]:
        opened.append(warehouse)
        with connect(warehouse, **options) as conn:
            yield conn

    with quick_client(small) as client:
        options = SyncOptions(scope=SCOPE, page_size=10, commit_every=10)
        stats = sync_jira(client, counted, options)
    assert stats.pages == 4 and stats.passes == 1 and stats.full_pass
    # the scope's state, the full pass and the count check, and the pass's
    assert len(opened) == 3 + pass_connections
    assert_exact(small, warehouse)


def test_the_sync_writes_row_groups_of_its_own_size(fake: FakeJira, tmp_path: Path) -> None:
    """Commits fill the sync's small row groups, which go straight into the file; at the
    warehouse's size each commit rewrote the table's growing last row group."""
    warehouse = tmp_path / "w.duckdb"
    run_sync(fake, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        [(groups, largest)] = conn.execute(
            "select count(distinct row_group_id), max(count)"
            " from pragma_storage_info('raw.changelog') where column_name = 'issue_id'"
        ).fetchall()
    assert groups > 1 and largest <= SYNC_ROW_GROUP_SIZE


def test_a_merge_gets_the_memory_its_batch_needs_and_the_cap_returns_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of huge issues can pass the batch size: its merge must not run out of memory
    under the sync's cap, and the cap holds again for what follows (the checkpoint at close)."""
    monkeypatch.setattr(sync_batches, "SYNC_MEMORY_MB", 16)
    merge, commit, seen = RawLoader.commit, sync_batches.Batches._commit, []

    def merging(self: RawLoader, *args: Any, **kwargs: Any) -> Any:
        batch = sum(frame.nbytes for frames in self._staged.values() for frame in frames)
        seen.append(("merge", batch, _limit(self._conn)))
        return merge(self, *args, **kwargs)

    def committed(self: sync_batches.Batches, *args: Any) -> None:
        commit(self, *args)
        with self._batch_connection() as conn:
            seen.append(("after", 0, _limit(conn)))

    monkeypatch.setattr(RawLoader, "commit", merging)
    monkeypatch.setattr(sync_batches.Batches, "_commit", committed)
    warehouse = tmp_path / "w.duckdb"
    with FakeJira("cloud", weight="jira", seed=4) as heavy:
        heavy.make_issues(300, START, histories=(0, 30), comments=(0, 30))
        run_sync(heavy, warehouse, page_size=100, commit_every=10**6)
        assert_exact(heavy, warehouse)
    merges = [(batch, limit) for step, batch, limit in seen if step == "merge"]
    assert max(batch for batch, _ in merges) > 8 * 2**20, "no batch over half the cap"
    for batch, limit in merges:
        assert limit >= max(3 * batch, 16 * 2**20) * 0.95, (batch, limit)
    assert all(limit <= 16 * 2**20 for step, _, limit in seen if step == "after")


def _limit(conn: duckdb.DuckDBPyConnection) -> float:
    """DuckDB's memory limit in bytes."""
    [(limit,)] = conn.execute(
        "select value from duckdb_settings() where name = 'memory_limit'"
    ).fetchall()
    number, unit = limit.split()
    return float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30}[unit]


def _helper_that_exits(self: AdfWorker) -> subprocess.Popen[bytes]:
    self._process = subprocess.Popen(
        [sys.executable, "-c", "pass"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    return self._process


def test_texts_are_the_same_when_the_adf_helper_process_dies(
    fake: FakeJira, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADF is rendered in a helper process while pages are read; one that dies leaves the
    rendering to the sync itself, with the very same texts."""
    texts = (
        "select 'issue', issue_id, description_text from raw.issues union all "
        "select 'comment', comment_id, body_text from raw.comments order by all"
    )
    run_sync(fake, tmp_path / "helped.duckdb", page_size=50)
    monkeypatch.setattr(AdfWorker, "_spawn", _helper_that_exits)
    run_sync(fake, tmp_path / "alone.duckdb", page_size=50)
    with (
        duckdb.connect(str(tmp_path / "helped.duckdb"), read_only=True) as helped,
        duckdb.connect(str(tmp_path / "alone.duckdb"), read_only=True) as alone,
    ):
        expected = helped.execute(texts).fetchall()
        assert sum(bool(text) for *_, text in expected) > 100
        assert alone.execute(texts).fetchall() == expected


def test_a_pass_that_fails_still_lands_the_commit_under_way(
    fake: FakeJira, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch flushed right before a failure commits on the pass's connection (it starts
    late here), and what landed is every issue read before the failure."""
    warehouse, fetched = tmp_path / "w.duckdb", []
    commit = sync_batches.Batches._commit

    def late(self: sync_batches.Batches, *args: Any) -> None:
        time.sleep(0.3)
        commit(self, *args)

    def kill(message: str) -> None:
        fetched.append(int(message.split(": ")[1].split()[0].replace(",", "")))
        if message.startswith("page 2:"):
            raise Killed

    monkeypatch.setattr(sync_batches.Batches, "_commit", late)
    options = SyncOptions(scope=SCOPE, page_size=50, commit_every=1)
    with quick_client(fake) as client, pytest.raises(Killed):
        sync_jira(client, partial(connect, warehouse), options, progress=kill)
    assert len(warehouse_truth(warehouse)) == fetched[-1] > 0
