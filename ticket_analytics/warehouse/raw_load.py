"""Bulk, idempotent loads into the raw tables.

Rows are staged as Arrow tables (never row by row), then merged into `raw.*` in one
transaction: a load that fails midway leaves the warehouse as it was, and replaying a load
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ticket_analytics.jira.records import RawRows
from ticket_analytics.warehouse.arrow_arrays import (
    TIMESTAMP,
    int64s,
    strings,
    timestamps,
    utf8_texts,
)
from ticket_analytics.warehouse.sql_files import load_sql

_STAGED_COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "staged_issues": [
        ("issue_id", pa.string()),
        ("issue_key", pa.string()),
        ("project_key", pa.string()),
        ("created_at", TIMESTAMP),
        ("updated_at", TIMESTAMP),
        ("resolved_at", TIMESTAMP),
        ("description_text", pa.string()),
        ("payload", pa.binary()),
    ],
    "staged_changelog": [
        ("issue_id", pa.string()),
        ("history_id", pa.string()),
        ("created_at", TIMESTAMP),
        ("payload", pa.binary()),
    ],
    "staged_comments": [
        ("issue_id", pa.string()),
        ("comment_id", pa.string()),
        ("created_at", TIMESTAMP),
        ("updated_at", TIMESTAMP),
        ("body_text", pa.string()),
        ("payload", pa.binary()),
    ],
    "staged_rejected": [
        ("rejection_id", pa.string()),
        ("locator", pa.string()),
        ("issue_id", pa.string()),
        ("issue_key", pa.string()),
        ("reason", pa.string()),
        ("payload", pa.binary()),
    ],
}


FLUSH_ROWS = 20_000
STAGED_TABLES = tuple(_STAGED_COLUMNS)
# Staged tables of which a load keeps one copy of each row, and the statement that picks it
# (rejections are merged as they are), with the column whose values are ids unique in Jira.
_KEPT = {
    "staged_issues": ("kept_staged_issues", "issue_id"),
    "staged_changelog": ("kept_staged_changelog", "history_id"),
    "staged_comments": ("kept_staged_comments", "comment_id"),
}
# Arrow, not polars: frames are built in forked worker processes, and polars' thread pool
# does not survive a fork of a process that already used it (Arrow re-creates its own).
Frames = dict[str, pa.Table]


def raw_frames(rows: RawRows, sources: dict[str, list[str]]) -> Frames:
    """One Arrow table per staged table from `rows`; `sources` names each row's source."""
    frames = {}
    for table, records in zip(STAGED_TABLES, rows.tables(), strict=True):
        if not records:
            continue
        names = [name for name, _ in _STAGED_COLUMNS[table]]
        columns = zip(*records, strict=True)
        arrays = [
            utf8_texts(column, _payload_type(table))
            if name == "payload"
            else timestamps(column)
            if dtype == TIMESTAMP
            else strings(column)
            for (name, dtype), column in zip(_STAGED_COLUMNS[table], columns, strict=True)
        ]
        arrays.append(strings(sources[table]))
        frames[table] = pa.Table.from_arrays(arrays, names=[*names, "source"])
    return frames


def _payload_type(table: str) -> pa.DataType:
    """Payload bytes become text as Arrow builds the column, which validates the UTF-8 (no
    Python decode per row, no second copy). Our own serialisations are typed JSON, which
    DuckDB then stores without parsing each one again to check it; a rejected record's
    payload may be anything, so it stays plain text."""
    return pa.string() if table == "staged_rejected" else pa.json_()


def _staged_schema(table: str) -> pa.Schema:
    """What `raw_frames` makes of `table` once staged: payload as text, plus source and seq."""
    columns = [
        (n, _payload_type(table) if n == "payload" else t) for n, t in _STAGED_COLUMNS[table]
    ]
    return pa.schema([*columns, ("source", pa.string()), ("seq", pa.int64())])


@dataclass
class LoadStats:
    issues_seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    changelog_rows: int = 0
    comment_rows: int = 0
    sources: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict[str, int]:
        return {
            "issues_seen": self.issues_seen,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "changelog_rows": self.changelog_rows,
            "comment_rows": self.comment_rows,
        }


class RawLoader:
    """Stage rows from any number of sources, then `commit()` them in one transaction."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self._conn = conn
        self._seq = 0
        self._fetched_at = datetime.now(UTC)
        self.stats = LoadStats()
        # Rows become Arrow tables in batches (one per page would cost a conversion each),
        # and the tables reach DuckDB once, at commit: appending batch after batch to a
        # DuckDB table got slower with every batch, five times slower in all at 100k issues.
        self._pending = RawRows()
        self._pending_sources: dict[str, list[str]] = {table: [] for table in STAGED_TABLES}
        self._staged: dict[str, list[pa.Table]] = {table: [] for table in STAGED_TABLES}
        # rows each staged_* view holds once one copy of each is kept
        self._kept_rows: dict[str, int] = {}

    def stage(self, rows: RawRows, source: str, *, issues_seen: int | None = None) -> None:
        self.stats.issues_seen += len(rows.issues) if issues_seen is None else issues_seen
        self.stats.rejected += len(rows.rejected)
        self.stats.sources.append(source)
        for table, pending, records in zip(
            STAGED_TABLES, self._pending.tables(), rows.tables(), strict=True
        ):
            pending.extend(records)
            self._pending_sources[table].extend([source] * len(records))
        if len(self._pending) >= FLUSH_ROWS:
            self._flush()

    def stage_frames(self, frames: Frames, sources: list[str], *, issues_seen: int) -> None:
        """Stage frames made by `raw_frames` (e.g. in a worker process) as they are."""
        self.stats.issues_seen += issues_seen
        rejected = frames.get("staged_rejected")
        self.stats.rejected += 0 if rejected is None else rejected.num_rows
        self.stats.sources.extend(sources)
        for table, frame in frames.items():
            self._add(table, frame)

    def _flush(self) -> None:
        for table, frame in raw_frames(self._pending, self._pending_sources).items():
            self._add(table, frame)
        self._pending = RawRows()
        self._pending_sources = {table: [] for table in STAGED_TABLES}

    def _add(self, table: str, frame: pa.Table) -> None:
        # seq orders rows across the whole load, so the last copy staged of a row wins
        seq = int64s(np.arange(self._seq, self._seq + frame.num_rows))
        self._staged[table].append(frame.append_column("seq", seq))
        self._seq += frame.num_rows

    def _register(self) -> None:
        """Make each staged_* name a view of its Arrow tables for the merge statements, with
        the one staged copy of each row that the load keeps."""
        for table, frames in self._staged.items():
            # (no Schema.empty_table: it builds its arrays with pa.array)
            staged = pa.concat_tables(frames or [pa.Table.from_batches([], _staged_schema(table))])
            self._conn.register(table, staged)
            self._kept_rows[table] = staged.num_rows
            if table in _KEPT:
                self._keep_one_copy(table, staged, *_KEPT[table])

    def _keep_one_copy(self, table: str, staged: pa.Table, statement: str, id_column: str) -> None:
        """Leave only the copy of each row that wins, as `statement` picks it.

        Rows are rarely staged twice (an issue updated while a sync reads it), so the merges
        read the staged rows as they are. Picking them in the merges instead (a semi join on
        the kept keys) made DuckDB hash every staged payload: a fifth of the merges' time.
        When no id repeats, every row is its only copy, and Arrow counts that in a tenth of
        the statement's time.
        """
        if pc.count_distinct(staged[id_column]).as_py() == staged.num_rows:
            return
        kept = self._conn.execute(load_sql(statement)).fetchnumpy()["seq"]
        if len(kept) == staged.num_rows:
            return
        self._conn.unregister(table)
        self._conn.register(table, staged.filter(pc.is_in(staged["seq"], int64s(kept))))
        self._kept_rows[table] = len(kept)

    def commit(self, along: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> LoadStats:
        """Merge everything staged in one transaction; `along` writes in it too (a sync's
        watermark: rows and the point they reach commit together, and only one commit
        and checkpoint are paid)."""
        self._flush()
        try:
            self._register()
            self._merge_all(along)
        finally:
            for table, frames in self._staged.items():
                self._conn.unregister(table)
                frames.clear()
            # Arrow's allocator keeps freed blocks for reuse, and a long sync's RSS then
            # grew by a batch's worth of it at a time
            pa.default_memory_pool().release_unused()
        return self.stats

    def _merge_all(self, along: Callable[[duckdb.DuckDBPyConnection], None] | None) -> None:
        conn = self._conn
        conn.execute("begin transaction")
        try:
            counts = conn.execute(load_sql("count_issue_changes")).fetchall()
            inserted, updated, unchanged = counts[0]
            # a statement costs ~20 ms even with nothing to write: skip the ones known idle
            if updated:
                self._merge("merge_issues_update")
            # When every staged issue is new, the inserts need not look for stored copies:
            # of the issues, nor of their histories, which land only with their issue.
            seen = bool(updated or unchanged)
            if inserted:
                self._merge("merge_issues_insert", any_issue_known=seen)
            changelog_rows = self._merge("merge_changelog", any_issue_known=seen)
            # A comment usually lands with its issue: when every issue is new, so is every
            # comment of theirs, and the update (a scan of raw.comments) is skipped. But a
            # comment page can store comments before their issue comes: a comment the insert
            # found stored is then updated after all.
            known = updated or unchanged or not self._comments_of_staged_issues_only()
            comment_rows = self._merge("merge_comments_update") if known else 0
            inserted_comments = self._merge("merge_comments_insert")
            if not known and inserted_comments < self._kept_rows["staged_comments"]:
                comment_rows += self._merge("merge_comments_update")
            comment_rows += inserted_comments
            if self._staged["staged_rejected"]:
                self._merge("merge_rejected")
            if along is not None:
                along(conn)
            conn.execute("commit")
        except Exception:
            conn.execute("rollback")
            raise
        self.stats.inserted += inserted
        self.stats.updated += updated
        self.stats.unchanged += unchanged
        self.stats.changelog_rows += changelog_rows
        self.stats.comment_rows += comment_rows

    def _comments_of_staged_issues_only(self) -> bool:
        # Arrays, not a table's chunked columns, which pa.chunked_array would pass to pa.array
        issues = [c for t in self._staged["staged_issues"] for c in t["issue_id"].chunks]
        if not issues:
            return not self._staged["staged_comments"]
        ids = pa.chunked_array(issues).combine_chunks()
        return all(
            bool(pc.all(pc.is_in(t["issue_id"], value_set=ids)).as_py())
            for t in self._staged["staged_comments"]
        )

    def _merge(self, name: str, **params: object) -> int:
        """Run one merge statement; returns the rows it wrote."""
        params["fetched_at"] = self._fetched_at
        # duckdb 2 keeps a result "unfinished" until fetched to the end; fetchall finishes it.
        rows = self._conn.execute(load_sql(name), params).fetchall()
        return int(rows[0][0]) if rows else 0
