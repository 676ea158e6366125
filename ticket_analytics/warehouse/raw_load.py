"""Bulk, idempotent loads into the raw tables.

Rows are staged in connection-private temp tables through Arrow (never row by row), then
merged into `raw.*` in one transaction: a load that fails midway leaves the warehouse as it
was, and replaying a load changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from ticket_analytics.jira.records import RawRows
from ticket_analytics.paths import SQL_DIR

_TS = pl.Datetime("us", "UTC")
_STAGED_COLUMNS: dict[str, list[tuple[str, pl.DataType]]] = {
    "staged_issues": [
        ("issue_id", pl.String()),
        ("issue_key", pl.String()),
        ("project_key", pl.String()),
        ("created_at", _TS),
        ("updated_at", _TS),
        ("resolved_at", _TS),
        ("description_text", pl.String()),
        ("payload", pl.String()),
    ],
    "staged_changelog": [
        ("issue_id", pl.String()),
        ("history_id", pl.String()),
        ("created_at", _TS),
        ("payload", pl.String()),
    ],
    "staged_comments": [
        ("issue_id", pl.String()),
        ("comment_id", pl.String()),
        ("created_at", _TS),
        ("updated_at", _TS),
        ("body_text", pl.String()),
        ("payload", pl.String()),
    ],
    "staged_rejected": [
        ("rejection_id", pl.String()),
        ("locator", pl.String()),
        ("issue_id", pl.String()),
        ("issue_key", pl.String()),
        ("reason", pl.String()),
        ("payload", pl.String()),
    ],
}


_INSERT_CHUNK = {
    "staged_issues": "insert into staged_issues by name select * from _arrow_chunk",
    "staged_changelog": "insert into staged_changelog by name select * from _arrow_chunk",
    "staged_comments": "insert into staged_comments by name select * from _arrow_chunk",
    "staged_rejected": "insert into staged_rejected by name select * from _arrow_chunk",
}


FLUSH_ROWS = 20_000


def _sql(name: str) -> str:
    return (SQL_DIR / "load" / f"{name}.sql").read_text(encoding="utf-8")


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
        # Rows wait here and go to DuckDB in large batches: each insert has a fixed cost of
        # a few milliseconds, which a page-sized batch pays over and over.
        self._pending: dict[str, tuple[list[tuple[Any, ...]], list[str]]] = {
            table: ([], []) for table in _STAGED_COLUMNS
        }
        conn.execute(_sql("stage_tables"))

    def stage(self, rows: RawRows, source: str, *, issues_seen: int | None = None) -> None:
        self.stats.issues_seen += len(rows.issues) if issues_seen is None else issues_seen
        self.stats.rejected += len(rows.rejected)
        self.stats.sources.append(source)
        for table, records in (
            ("staged_issues", rows.issues),
            ("staged_changelog", rows.changelog),
            ("staged_comments", rows.comments),
            ("staged_rejected", rows.rejected),
        ):
            if records:
                pending, sources = self._pending[table]
                pending.extend(records)
                sources.extend([source] * len(records))
                if len(pending) >= FLUSH_ROWS:
                    self._flush(table)

    def _flush(self, table: str) -> None:
        pending, sources = self._pending[table]
        if not pending:
            return
        # polars builds columns from row tuples in Rust: 2-3x faster than zip(*rows) + Arrow
        count = len(pending)
        chunk = pl.DataFrame(pending, schema=_STAGED_COLUMNS[table], orient="row").with_columns(
            seq=pl.int_range(self._seq, self._seq + count, dtype=pl.Int64),
            source=pl.Series(sources, dtype=pl.String),
        )
        self._seq += count
        pending.clear()
        sources.clear()
        self._conn.register("_arrow_chunk", chunk)
        try:
            self._conn.execute(_INSERT_CHUNK[table])
        finally:
            self._conn.unregister("_arrow_chunk")

    def commit(self) -> LoadStats:
        conn = self._conn
        for table in _STAGED_COLUMNS:
            self._flush(table)
        inserted, updated, unchanged = conn.execute(_sql("count_issue_changes")).fetchall()[0]
        conn.execute("begin transaction")
        try:
            conn.execute(_sql("merge_issues"), [self._fetched_at])
            self.stats.changelog_rows += _changed_rows(
                conn.execute(_sql("merge_changelog"), [self._fetched_at])
            )
            self.stats.comment_rows += _changed_rows(
                conn.execute(_sql("merge_comments"), [self._fetched_at])
            )
            conn.execute(_sql("merge_rejected"), [self._fetched_at])
            conn.execute("commit")
        except Exception:
            conn.execute("rollback")
            raise
        self.stats.inserted += inserted
        self.stats.updated += updated
        self.stats.unchanged += unchanged
        conn.execute(_sql("clear_stage_tables"))
        return self.stats


def _changed_rows(result: duckdb.DuckDBPyConnection) -> int:
    # duckdb 2 keeps a result "unfinished" until fetched to the end; fetchall finishes it.
    rows = result.fetchall()
    return int(rows[0][0]) if rows else 0
