"""Application logs -> raw.biz_events (+ raw.biz_event_rejects), incrementally.

Each batch of a file (see `scan.BATCH_BYTES`) commits its events, its rejects and its
stream's checkpoint in one transaction: a crash or a lock timeout leaves the warehouse at the
last committed batch, and the next run resumes exactly there.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ticket_analytics.bizlogs import checkpoints as cp
from ticket_analytics.bizlogs.scan import BATCH_BYTES, BLOCK_BYTES, Batch, scan
from ticket_analytics.paths import SQL_DIR

SAMPLE_CHARS = 500
Progress = Callable[[str, int], None]


def _sql(name: str) -> str:
    return (SQL_DIR / "load" / f"{name}.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class BizLogConfig:
    """How tags are guarded. Keys in `hash_keys` are stored as a salted sha256 prefix (one
    user stays one value, an email never lands); keys in `drop_keys` are not stored at all."""

    hash_keys: tuple[str, ...] = ("user_id", "email", "order_id")
    drop_keys: tuple[str, ...] = ()
    hash_salt: str = ""
    max_distinct_per_hour: int = 100
    block_bytes: int = BLOCK_BYTES
    batch_bytes: int = BATCH_BYTES


@dataclass(frozen=True)
class TagCardinality:
    tag_key: str
    max_distinct_per_hour: int
    is_dimension: bool


@dataclass(frozen=True)
class IngestStats:
    files_seen: int
    files_read: int
    files_unchanged: int
    files_unreadable: tuple[str, ...]
    bytes_read: int
    lines_read: int
    marker_lines: int
    events: int
    rejects: int
    rejects_by_reason: dict[str, int]
    excluded_tags: tuple[str, ...]  # tag keys kept in raw but left out of metric dimensions
    tag_cardinality: tuple[TagCardinality, ...] = field(default=())

    def as_metadata(self) -> dict[str, Any]:
        return {
            "files_seen": self.files_seen,
            "files_read": self.files_read,
            "files_unchanged": self.files_unchanged,
            "files_unreadable": len(self.files_unreadable),
            "bytes_read": self.bytes_read,
            "lines_read": self.lines_read,
            "marker_lines": self.marker_lines,
            "events": self.events,
            "rejects": self.rejects,
            **{f"rejects_{reason}": count for reason, count in self.rejects_by_reason.items()},
            "excluded_tags": ", ".join(self.excluded_tags) or "none",
        }


def _prefetched(batches: Iterator[Batch]) -> Iterator[Batch]:
    """Scan the next batch in a thread while DuckDB (which releases the GIL) parses this one."""
    slot: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=1)

    def produce() -> None:
        try:
            for batch in batches:
                slot.put(batch)
            slot.put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            slot.put(exc)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    while (item := slot.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item
    worker.join()


def load_checkpoints(conn: duckdb.DuckDBPyConnection) -> list[cp.Checkpoint]:
    rows = conn.execute(
        "select stream_id, path, inode, size, is_gzip, byte_offset, lines_read, head_len,"
        " head_hash, mtime_ns from meta.log_checkpoints"
    ).fetchall()
    return [cp.Checkpoint(*row) for row in rows]


class _Writer:
    """Commits one batch (events, rejects, checkpoint) at a time and tallies the results."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, config: BizLogConfig) -> None:
        self._conn = conn
        self._config = config
        self._started = datetime.now(UTC)
        self.reasons: Counter[str] = Counter()
        self.events = self.marker_lines = self.bytes_read = self.lines_read = 0
        self.first_ts: datetime | None = None
        self.last_ts: datetime | None = None

    def commit(self, plan: cp.Plan, batch: Batch) -> cp.Checkpoint:
        conn, config = self._conn, self._config
        checkpoint = cp.advanced(plan, batch.end_offset, batch.end_line)
        names = {"stream_id": plan.stream_id, "source_file": plan.file.path}
        conn.register("biz_marker_lines", batch.lines)
        conn.execute("begin transaction")
        try:
            conn.execute(
                _sql("biz_parse_lines"),
                {
                    "hash_keys": list(config.hash_keys),
                    "drop_keys": list(config.drop_keys),
                    "salt": config.hash_salt,
                },
            )
            stamp = {**names, "ingested_at": self._started}
            conn.execute(_sql("biz_insert_events"), stamp).fetchall()
            conn.execute(
                _sql("biz_insert_rejects"), {**stamp, "sample_chars": SAMPLE_CHARS}
            ).fetchall()
            tally = conn.execute(
                "select reject_reason, count(*), min(ts), max(ts) from biz_parsed group by all"
            ).fetchall()
            if plan.replaces and plan.replaces != plan.stream_id:
                conn.execute(
                    "delete from meta.log_checkpoints where stream_id = ?", [plan.replaces]
                )
            conn.execute(
                _sql("biz_save_checkpoint"),
                {
                    **asdict(checkpoint),
                    "updated_at": self._started,
                },
            )
            conn.execute("drop table biz_parsed")
            conn.execute("commit")
        except Exception:
            conn.execute("rollback")
            raise
        finally:
            conn.unregister("biz_marker_lines")
        for reason, count, first, last in tally:
            self.marker_lines += count
            if reason is None:
                self.events += count
                self.first_ts = first if self.first_ts is None else min(self.first_ts, first)
                self.last_ts = last if self.last_ts is None else max(self.last_ts, last)
            else:
                self.reasons[reason] += count
        self.bytes_read += batch.bytes_read
        self.lines_read += batch.lines_read
        return checkpoint

    def tag_cardinality(self) -> list[TagCardinality]:
        if self.first_ts is None or self.last_ts is None:
            return []
        rows = self._conn.execute(
            _sql("biz_tag_cardinality"),
            {
                "first_ts": self.first_ts,
                "last_ts": self.last_ts,
                "limit": self._config.max_distinct_per_hour,
                "hash_keys": list(self._config.hash_keys),
                "checked_at": self._started,
            },
        ).fetchall()
        return sorted(
            (TagCardinality(k, int(n), bool(d)) for k, n, d in rows), key=lambda t: t.tag_key
        )


def ingest_logs(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    config: BizLogConfig | None = None,
    *,
    progress: Progress | None = None,
) -> IngestStats:
    """Read what is new in the log file or directory `path` into raw.biz_events."""
    config = config or BizLogConfig()
    streams = {c.stream_id: c for c in load_checkpoints(conn)}
    writer = _Writer(conn, config)
    unreadable: list[str] = []
    files: list[cp.LogFile] = []
    for found in cp.discover(path):
        inspected = cp.inspect(found)
        if inspected is None:
            unreadable.append(str(found))
        else:
            files.append(inspected)
    read = unchanged = 0
    for file in cp.order(files):
        plan = cp.plan(file, list(streams.values()))
        if plan.unchanged:
            unchanged += 1
            continue
        read += 1
        batches = scan(
            file.path,
            is_gzip=file.is_gzip,
            offset=plan.offset,
            lines_before=plan.lines_before,
            block_bytes=config.block_bytes,
            batch_bytes=config.batch_bytes,
        )
        for batch in _prefetched(batches):
            streams[plan.stream_id] = writer.commit(plan, batch)
            if progress:
                progress(file.path, batch.end_offset)
        if plan.replaces:
            streams.pop(plan.replaces, None)
    cardinality = writer.tag_cardinality()
    return IngestStats(
        files_seen=len(files) + len(unreadable),
        files_read=read,
        files_unchanged=unchanged,
        files_unreadable=tuple(unreadable),
        bytes_read=writer.bytes_read,
        lines_read=writer.lines_read,
        marker_lines=writer.marker_lines,
        events=writer.events,
        rejects=sum(writer.reasons.values()),
        rejects_by_reason=dict(sorted(writer.reasons.items())),
        excluded_tags=tuple(t.tag_key for t in cardinality if not t.is_dimension),
        tag_cardinality=tuple(cardinality),
    )
