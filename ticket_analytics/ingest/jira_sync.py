"""Incremental Jira sync that never loses a ticket.

Each sync searches `(<scope>) AND updated >= "<watermark - overlap>"` in the Jira user's
profile time zone (JQL reads date literals there, to the minute), ordered by `updated, key`,
and commits in batches of pages, advancing the watermark with each. Three things keep it
honest:

- the overlap window re-reads recent minutes, covering search lag and minute precision;
  replays are free because raw upserts are keyed by (id, updated);
- an issue updated while a pass runs re-sorts to the end and can shift an unread issue past
  a page boundary, so a pass that saw such an update is repeated (bounded); if the last pass
  still saw one, the watermark is left where it was so the next sync reads the window again;
- a periodic ids-only pass over the whole scope fetches anything still missing and marks
  issues that disappeared from Jira as deleted (never more than half the scope at once).

State and `raw.issues.source` are keyed by the normalised scope (`scope_key`): reordering or
re-spacing JIRA_JQL keeps the same watermark and the same rows.

No Dagster here: the asset and the CLI both call `sync_jira`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from ticket_analytics.ingest.completion import completing, full_lists
from ticket_analytics.ingest.prefetch import prefetched
from ticket_analytics.ingest.sync_batches import SYNC_ROW_GROUP_SIZE, Batches, Connect
from ticket_analytics.ingest.sync_state import (
    claim_older_spellings,
    read_state,
    save_state,
    scope_key,
    source_name,
)
from ticket_analytics.integrations.jira import JiraClient, split_order_by
from ticket_analytics.jira.timestamps import format_jql_datetime, parse_jira_timestamp
from ticket_analytics.warehouse.sql_files import load_sql

log = logging.getLogger(__name__)

ORDER = "ORDER BY updated ASC, key ASC"
FIELDS = ("*all",)
ID_BATCH = 100
# Our clock and Jira's differ a little; an issue updated this close before a pass started
# counts as updated during it.
CLOCK_SKEW = timedelta(seconds=5)
# Pages read ahead while rows are built (commits run in their own thread, and a page waits
# for its texts while the next becomes rows, so no more are needed): each is megabytes of
# JSON at Jira's weight; ten ahead held 300 MB. One ahead held 1-36 MB less than two (13 MB
# median) and was no slower, in seven interleaved 20k runs, and reading it only once there
# is room for it (not reading one more and holding it) ~20 MB less again.
PREFETCH = 1
# Issues per search page. A Jira-weight page of 100 is ~5 MB of JSON, ~4 times that once
# parsed, and three pages are in flight: pages of 50 (Jira Cloud's default) held ~40 MB less
# at about the same issues/s (see the README's benchmarks).
PAGE_SIZE = 100
# A full pass never marks more than this share of a scope's live issues deleted at once.
MAX_DELETE_SHARE = 0.5

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SyncOptions:
    scope: str
    overlap: timedelta = timedelta(minutes=10)
    full: bool = False
    page_size: int = PAGE_SIZE
    full_pass_every: timedelta = timedelta(hours=24)
    max_passes: int = 3
    reconcile_issue_ids: tuple[int, ...] = ()
    # Pages are committed (with the watermark) in batches of a row group's worth of issues
    # (see SYNC_ROW_GROUP_SIZE) ...
    commit_every: int = SYNC_ROW_GROUP_SIZE
    # ... or fewer, once they hold this many bytes. A batch is held about five times over:
    # as Arrow while read and while committing, and by DuckDB as it merges (uncompressed
    # until written, and serialised for the WAL). At Jira's weight 24 MB is ~520 issues;
    # 32 MB batches held ~40 MB more at ~10% more issues/s, 64 MB ones ~160 MB more.
    commit_bytes: int = 24 * 2**20


@dataclass
class SyncStats:
    pages: int = 0
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    changelog_fetches: int = 0
    comment_fetches: int = 0
    passes: int = 0
    recovered: int = 0
    deleted: int = 0
    retries: int = 0
    rate_limited: int = 0
    requests: int = 0
    full_pass: bool = False
    jira_count: int | None = None
    warehouse_count: int | None = None
    watermark: str | None = None
    duration_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "notes" and v is not None}


def scoped_jql(scope: str, since: datetime | None, time_zone: str) -> str:
    restriction, _ = split_order_by(scope)
    clause = f"({restriction.strip()})"
    if since is not None:
        clause += f' AND updated >= "{format_jql_datetime(since, time_zone)}"'
    return f"{clause} {ORDER}"


def _updated_since(issues: Iterable[dict[str, Any]], moment: datetime) -> set[tuple[str, datetime]]:
    changed = set()
    for issue in issues:
        try:
            updated = parse_jira_timestamp(issue["fields"]["updated"])
        except (KeyError, TypeError, ValueError):
            continue
        if updated >= moment:
            changed.add((str(issue.get("id")), updated))
    return changed


def _latest_updated(issues: Iterable[dict[str, Any]]) -> datetime | None:
    latest = None
    for issue in issues:
        try:
            moment = parse_jira_timestamp(issue["fields"]["updated"])
        except (KeyError, TypeError, ValueError):
            continue  # the loader rejects it with the reason
        latest = moment if latest is None or moment > latest else latest
    return latest


class _Sync:
    def __init__(
        self, client: JiraClient, connect: Connect, options: SyncOptions, progress: Progress | None
    ) -> None:
        self.client, self.connect, self.options = client, connect, options
        self.progress = progress or (lambda _message: None)
        self.stats = SyncStats()
        self.key = scope_key(options.scope)
        self.source = source_name(options.scope)
        self.batches = Batches(connect, self.source, self._save_watermark, self.stats)

    def note(self, message: str, *, warn: bool = False) -> None:
        self.stats.notes.append(message)
        if warn:
            log.warning("Jira sync of %r: %s", self.key, message)

    def _save_watermark(self, conn: duckdb.DuckDBPyConnection, watermark: datetime) -> None:
        save_state(
            conn,
            self.key,
            watermark=watermark,
            flavor=self.client.flavor,
            time_zone=self.client.profile_time_zone(),
        )

    def incremental(self, since: datetime | None, watermark: datetime | None) -> datetime | None:
        """Search the window until a pass sees no concurrent change; returns the watermark.

        An issue counts as changed during a pass when its ``updated`` is at or after the
        pass's start (less ``CLOCK_SKEW``) and this sync had not already read that version in
        an earlier pass. If every pass saw such a change, the stored watermark goes back to
        what it was before this sync, so the next sync reads the window again.
        """
        before = watermark
        time_zone = self.client.profile_time_zone()
        read_recently: set[tuple[str, datetime]] = set()
        for _ in range(self.options.max_passes):
            self.stats.passes += 1
            started = datetime.now(UTC) - CLOCK_SKEW
            concurrent = False
            recent: set[tuple[str, datetime]] = set()
            jql = scoped_jql(self.options.scope, since, time_zone)
            search = self.client.search(
                jql,
                fields=FIELDS,
                expand="changelog",
                page_size=self.options.page_size,
                reconcile_issue_ids=self.options.reconcile_issue_ids
                if self.client.flavor == "cloud"
                else (),
                views=True,
            )
            with (
                self.batches.committing(),
                closing(prefetched(completing(self.client, search, self.stats), PREFETCH)) as pages,
            ):
                for page, fetching in pages:
                    latest = _latest_updated(page.issues)
                    if latest is not None:
                        watermark = latest if watermark is None else max(watermark, latest)
                        if latest >= started:
                            changed = _updated_since(page.issues, started)
                            recent |= changed
                            concurrent |= bool(changed - read_recently)
                    self.batches.add(page.issues, full_lists(fetching))
                    # not kept while the next page is awaited: it is megabytes of parsed JSON
                    del page, fetching
                    if (
                        self.batches.pending_issues >= self.options.commit_every
                        or self.batches.pending_bytes >= self.options.commit_bytes
                    ):
                        self.batches.flush(watermark)
                    self.stats.pages += 1
                    self.progress(f"page {self.stats.pages}: {self.stats.fetched:,} issues fetched")
                self.batches.flush(watermark)
            if not concurrent:
                return watermark
            read_recently |= recent
            if self.stats.passes < self.options.max_passes:
                self.note("issues changed during the pass; searched the window again")
        self.note(
            f"issues were still changing during pass {self.stats.passes} of "
            f"{self.options.max_passes}: an unread issue may have shifted past a page; "
            "the watermark stays where it was, so the next sync reads the window again",
            warn=True,
        )
        with self.batches.connection() as conn:
            save_state(conn, self.key, watermark=before, reset_watermark=True)
        return before

    def full_pass(self) -> None:
        """Fetch issues the scope has but the warehouse lacks; mark vanished ones deleted.

        Every id Jira returns is claimed for this scope's source (rows loaded under an older
        spelling of the JQL included); deletions are marked only among this source's rows,
        and never when Jira returned nothing or more than half of them would go at once.
        """
        self.stats.full_pass = True
        restriction, _ = split_order_by(self.options.scope)
        jira_ids = sorted(set(self.client.search_ids(f"({restriction.strip()}) ORDER BY key ASC")))
        with self.batches.connection() as conn:
            conn.execute(load_sql("sync_create_jira_ids"))
            conn.execute(load_sql("sync_insert_jira_ids"), {"issue_ids": jira_ids})
            conn.execute(load_sql("sync_claim_jira_ids"), {"source": self.source})
            missing = [i for (i,) in conn.execute(load_sql("sync_missing_ids")).fetchall()]
            [(live, vanished)] = conn.execute(
                load_sql("sync_count_vanished"), {"source": self.source}
            ).fetchall()
            deleted: list[Any] = []
            if vanished and (not jira_ids or vanished > MAX_DELETE_SHARE * live):
                self.note(
                    f"full pass: Jira returned {len(jira_ids):,} ids for the scope, so "
                    f"{vanished:,} of its {live:,} live issues would be marked deleted "
                    f"(more than {MAX_DELETE_SHARE:.0%}); marked none. Check JIRA_JQL and the "
                    "Jira account's permissions.",
                    warn=True,
                )
            elif vanished:
                deleted = conn.execute(
                    load_sql("sync_mark_deleted"), {"source": self.source}
                ).fetchall()
            save_state(conn, self.key, last_full_pass_at=datetime.now(UTC))
        self.stats.deleted = len(deleted)
        for start in range(0, len(missing), ID_BATCH):
            batch = sorted(missing[start : start + ID_BATCH], key=int)
            jql = f"id in ({', '.join(batch)}) {ORDER}"
            search = self.client.search(
                jql, fields=FIELDS, expand="changelog", page_size=ID_BATCH, views=True
            )
            for page, fetching in completing(self.client, search, self.stats):
                self.batches.add(page.issues, full_lists(fetching))
                self.batches.flush(None)
                self.stats.recovered += len(page.issues)
        if missing:
            self.note(f"full pass recovered {len(missing)} issues the search had missed")

    def verify(self) -> None:
        restriction, _ = split_order_by(self.options.scope)
        self.stats.jira_count = self.client.count(f"({restriction.strip()})")
        with self.batches.connection() as conn:
            [(live,)] = conn.execute(
                load_sql("sync_count_live"), {"source": self.source}
            ).fetchall()
            self.stats.warehouse_count = int(live)
            save_state(
                conn,
                self.key,
                last_sync_at=datetime.now(UTC),
                jira_count=self.stats.jira_count,
                warehouse_count=self.stats.warehouse_count,
            )


def sync_jira(
    client: JiraClient,
    connect: Connect,
    options: SyncOptions,
    *,
    progress: Progress | None = None,
) -> SyncStats:
    """Bring `raw.*` up to date with Jira for `options.scope`; returns what happened.

    `connect` opens the warehouse: once per search pass, which commits every batch of pages
    on that connection, and briefly for the bookkeeping around the passes.
    """
    began = time.monotonic()
    sync = _Sync(client, connect, options, progress)
    with sync.batches.connection() as conn:
        claim_older_spellings(conn, sync.key, sync.source)
        state = read_state(conn, sync.key)
    watermark = None if options.full else state.get("watermark")
    since = watermark - options.overlap if watermark is not None else None
    with sync.batches.rendering_texts():
        watermark = sync.incremental(since, watermark)
        last_full = state.get("last_full_pass_at")
        if (
            options.full
            or last_full is None
            or datetime.now(UTC) - last_full >= options.full_pass_every
        ):
            sync.full_pass()
    sync.verify()
    stats = sync.stats
    stats.watermark = watermark.astimezone(UTC).isoformat() if watermark else None
    stats.retries = client.stats.retries
    stats.rate_limited = client.stats.rate_limited
    stats.requests = client.stats.requests
    stats.duration_s = round(time.monotonic() - began, 3)
    return stats
