"""Application logs -> raw.biz_events (+ raw.biz_event_rejects), incrementally.

Each batch of a file (see `scan.BATCH_BYTES`) commits its events, its rejects and its
stream's checkpoint in one transaction: a crash or a lock timeout leaves the warehouse at the
last committed batch, and the next run resumes exactly there. Reading, parsing (two batches
at once) and writing run side by side, a batch apart (see `pipeline.ahead`), so about five
batches are in memory at most, whatever the size of the file.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from ticket_analytics.bizlogs import checkpoints as cp
from ticket_analytics.bizlogs.parse import Parser, TagRules
from ticket_analytics.bizlogs.pipeline import ahead
from ticket_analytics.bizlogs.scan import BATCH_BYTES, BLOCK_BYTES, Batch, scan
from ticket_analytics.warehouse.connection import memory_limit
from ticket_analytics.warehouse.sql_files import load_sql

SAMPLE_CHARS = 500
# DuckDB keeps the blocks it writes in its buffer pool until memory_limit (80% of RAM by
# default) pushes them out: a load grew the process by ~10 bytes per event. Those blocks are
# on disk already, so a small pool costs nothing; it holds ~50 MB at the end of a 2 GB log.
INGEST_MEMORY_LIMIT = "64MB"
# parsing is the costly stage: two batches at once keep two cores busy with the reading
# and writing stages, which are light
PARSE_THREADS = 2
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class BizLogConfig:
    """How tags are guarded. Keys in `hash_keys` are stored as a salted sha256 prefix (one
    user stays one value, an email never lands); keys in `drop_keys` are not stored at all.
    A hashed key, or one with more than `max_distinct_per_hour` distinct values in any hour,
    stays in raw.biz_events but is no metric dimension (meta.biz_tag_cardinality)."""

    hash_keys: tuple[str, ...] = ("user_id", "email", "order_id")
    drop_keys: tuple[str, ...] = ()
    hash_salt: str = ""
    max_distinct_per_hour: int = 100
    block_bytes: int = BLOCK_BYTES
    batch_bytes: int = BATCH_BYTES


@dataclass(frozen=True)
class TagCardinality:
    """A tag key's guard decision (meta.biz_tag_cardinality): the metric models group by the
    key only when `is_dimension`."""

    tag_key: str
    max_distinct_per_hour: int
    is_dimension: bool
    is_hashed: bool = False
    distinct_limit_per_hour: int | None = None

    @property
    def exclusion_reason(self) -> str | None:
        """Why the key is no dimension, in the words of dim_biz_tag_keys; None when it is one."""
        if self.is_dimension:
            return None
        return "hashed" if self.is_hashed else "over_limit"


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
    # every tag key in the warehouse after this load (not only this load's): the decisions
    # the metric models use, and the keys kept in raw but left out of metric dimensions
    excluded_tags: tuple[str, ...]
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


def _parsed(
    batches: Iterator[Batch], parsers: Sequence[Parser]
) -> Iterator[tuple[Batch, pa.Table]]:
    """Batches with their parse, in file order. The file is read a batch ahead, and parsing
    (the costly stage) runs on as many batches at once as there are parsers."""
    in_flight: deque[tuple[Batch, Future[pa.Table]]] = deque()
    with ThreadPoolExecutor(len(parsers)) as pool, closing(ahead(batches)) as scanned:
        for number, batch in enumerate(scanned):
            if len(in_flight) == len(parsers):
                # the oldest batch is done with its parser, which this batch then reuses
                done, parsing = in_flight.popleft()
                yield done, parsing.result()
            parser = parsers[number % len(parsers)]
            in_flight.append((batch, pool.submit(parser.parse, batch.lines)))
        while in_flight:
            done, parsing = in_flight.popleft()
            yield done, parsing.result()


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
        self.checkpoints: dict[str, cp.Checkpoint] = {}

    def commit(self, plan: cp.Plan, batch: Batch, parsed: pa.Table) -> cp.Checkpoint:
        conn = self._conn
        checkpoint = cp.advanced(plan, batch.end_offset, batch.end_line)
        stamp = {
            "stream_id": plan.stream_id,
            "source_file": plan.file.path,
            "ingested_at": self._started,
        }
        conn.register("biz_parsed", parsed)
        conn.execute("begin transaction")
        try:
            conn.execute(load_sql("biz_insert_events"), stamp).fetchall()
            conn.execute(
                load_sql("biz_insert_rejects"), {**stamp, "sample_chars": SAMPLE_CHARS}
            ).fetchall()
            if plan.replaces and plan.replaces != plan.stream_id:
                conn.execute(
                    "delete from meta.log_checkpoints where stream_id = ?", [plan.replaces]
                )
            conn.execute(
                load_sql("biz_save_checkpoint"), {**asdict(checkpoint), "updated_at": self._started}
            )
            conn.execute("commit")
        except Exception:
            conn.execute("rollback")
            raise
        finally:
            conn.unregister("biz_parsed")
        self._tally(parsed)
        self.bytes_read += batch.bytes_read
        self.lines_read += batch.lines_read
        self.checkpoints[plan.stream_id] = checkpoint
        return checkpoint

    def _tally(self, parsed: pa.Table) -> None:
        frame = pl.from_arrow(parsed.select(["reject_reason", "ts"]))
        assert isinstance(frame, pl.DataFrame)
        rows = frame.group_by("reject_reason").agg(
            pl.len(), pl.col("ts").min().alias("first"), pl.col("ts").max().alias("last")
        )
        for reason, count, first, last in rows.iter_rows():
            self.marker_lines += count
            if reason is None:
                self.events += count
                self.first_ts = first if self.first_ts is None else min(self.first_ts, first)
                self.last_ts = last if self.last_ts is None else max(self.last_ts, last)
            else:
                self.reasons[reason] += count

    def tag_cardinality(self) -> list[TagCardinality]:
        """Measure the hours this run loaded, then decide every key under this run's settings.

        Decided even when nothing was loaded, so a changed limit applies on the next run."""
        conn = self._conn
        conn.execute("begin transaction")
        try:
            if self.first_ts is not None and self.last_ts is not None:
                conn.execute(
                    load_sql("biz_tag_cardinality"),
                    {
                        "first_ts": self.first_ts,
                        "last_ts": self.last_ts,
                        "checked_at": self._started,
                    },
                )
            rows = conn.execute(
                load_sql("biz_tag_dimensions"),
                {
                    "limit": self._config.max_distinct_per_hour,
                    "hash_keys": list(self._config.hash_keys),
                },
            ).fetchall()
            conn.execute("commit")
        except Exception:
            conn.execute("rollback")
            raise
        decided = (TagCardinality(k, int(n), bool(d), bool(h), lim) for k, n, d, h, lim in rows)
        return sorted(decided, key=lambda t: t.tag_key)


def _read_file(
    plan: cp.Plan,
    config: BizLogConfig,
    parsers: Sequence[Parser],
    writer: _Writer,
    progress: Progress | None,
) -> None:
    file = plan.file
    batches = scan(
        file.path,
        is_gzip=file.is_gzip,
        offset=plan.offset,
        lines_before=plan.lines_before,
        block_bytes=config.block_bytes,
        batch_bytes=config.batch_bytes,
    )
    for batch, parsed in ahead(_parsed(batches, parsers)):
        writer.commit(plan, batch, parsed)
        if progress:
            progress(file.path, batch.end_offset)


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
        try:
            inspected = cp.inspect(found)
        except OSError:  # removed since it was listed (logrotate deleting its oldest)
            inspected = None
        if inspected is None:
            unreadable.append(str(found))
        else:
            files.append(inspected)
    rules = TagRules(config.hash_keys, config.drop_keys, config.hash_salt)
    parsers = [Parser(rules) for _ in range(PARSE_THREADS)]
    read = unchanged = 0
    try:
        with memory_limit(conn, INGEST_MEMORY_LIMIT):
            for file in cp.order(files, list(streams.values())):
                plan = cp.plan(file, list(streams.values()))
                if plan.unchanged:
                    unchanged += 1
                    continue
                before = writer.checkpoints.get(plan.stream_id)
                try:
                    _read_file(plan, config, parsers, writer, progress)
                except (OSError, EOFError):
                    # gone since it was looked at, or a gzip still being written: what was
                    # committed of it stays, and the next run carries on from there
                    unreadable.append(file.path)
                    if writer.checkpoints.get(plan.stream_id) is before:
                        continue
                read += 1
                streams[plan.stream_id] = writer.checkpoints[plan.stream_id]
                if plan.replaces:
                    streams.pop(plan.replaces, None)
            cardinality = writer.tag_cardinality()
            # under the small pool too: closing the connection would otherwise checkpoint
            # the load's last row groups with all of memory to spend
            conn.execute("checkpoint")
    finally:
        for parser in parsers:
            parser.close()
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
