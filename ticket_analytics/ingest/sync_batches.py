"""A sync's batches: pages become Arrow rows as they arrive, and each batch commits with the
watermark it reaches, in one transaction, in a writer thread of the pass's own. While a
page's ADF bodies are rendered in a helper process, the next page is read.

A killed sync resumes from its last committed batch; pages read since are read again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import datetime
from typing import Any, Protocol

import duckdb

from ticket_analytics.ingest.completion import FullLists
from ticket_analytics.jira.adf_worker import AdfWorker
from ticket_analytics.jira.records import RawRows, is_object
from ticket_analytics.warehouse.connection import memory_limit
from ticket_analytics.warehouse.raw_load import STAGED_TABLES, Frames, RawLoader, raw_frames

# The row-group size the sync attaches the file with. DuckDB writes a transaction's full row
# groups straight into the file; a partial one goes through the WAL, and the checkpoint then
# rewrites the table's last row group whole. At the warehouse's 32,768 rows a growing row
# group of Jira-weight payloads was rewritten at every commit: two thirds of the commits'
# time. 2,048 is DuckDB's least (one vector); bulk loads keep the larger size.
SYNC_ROW_GROUP_SIZE = 2_048
# DuckDB's memory on a sync's connections, from the first merge to the checkpoint at close.
# Its buffer pool otherwise keeps every block the merges write, toward 80% of RAM. A merge
# gets more when its batch needs it (one page of huge issues can pass the batch size).
# At 64 MB its merges of 24 MB batches ran out of memory (single 16 MB allocations).
SYNC_MEMORY_MB = 96
# Commits on a pass's connection before it is closed and reopened: DuckDB's memory in the
# writing connection grew with what it wrote (~35 MB over 60k issues, outside the buffer
# pool the limit above caps), and a new connection starts from the file. Every 3 or 10
# commits: the same peak RSS at 100k issues and the same issues/s.
RECONNECT_EVERY = 10
# What a merge may use, in multiples of its batch's Arrow bytes: 2x ran out on one thread.
MERGE_MEMORY_PER_BATCH_BYTE = 3
# glibc's mallopt parameter for the size from which blocks are mapped on their own.
_M_MMAP_THRESHOLD = -3
# An issue whose embedded changelog and comments are whole.
_EMBEDDED = FullLists()


@functools.cache
def map_large_blocks(threshold: int = 1 << 20) -> None:
    """Have glibc map blocks of `threshold` bytes or more on their own, so that freeing one
    returns it to the system at once.

    Every page is a few megabytes of response bytes and a simdjson parser several times that,
    allocated and freed page after page. glibc raises its mapping threshold to the largest
    block freed so far, so after the first page these came from the heap, whose holes kept
    ~100 MB of RSS for good. A fixed threshold ends that; DuckDB's 256 KB blocks stay below
    it. Elsewhere than glibc (musl, macOS), nothing is done.
    """
    library = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(library).mallopt if library else None
    except (AttributeError, OSError):
        mallopt = None
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, threshold)


class Connect(Protocol):
    """Opens a writable warehouse connection and closes it on exit: `WarehouseResource.connect`
    in Dagster, `functools.partial(connection.connect, path)` elsewhere."""

    def __call__(
        self, *, row_group_size: int = ...
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...


class Counts(Protocol):
    fetched: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


# Writes the watermark a batch reaches, in the batch's transaction.
SaveWatermark = Callable[[duckdb.DuckDBPyConnection, datetime], None]


class Batches:
    """Rows read since the last commit, and the commit under way (one at a time, in order)."""

    def __init__(
        self, connect: Connect, source: str, save_watermark: SaveWatermark, counts: Counts
    ) -> None:
        map_large_blocks()
        self._connect, self._source = connect, source
        self._save_watermark, self._counts = save_watermark, counts
        self._pass = ExitStack()
        self._pass_connection: duckdb.DuckDBPyConnection | None = None
        self._pass_commits = 0
        self._pending: list[tuple[Frames, int]] = []
        self.pending_issues = self.pending_bytes = 0
        self._writer: ThreadPoolExecutor | None = None
        self._writing: Future[None] | None = None
        self._texts: AdfWorker | None = None
        # the page last added, with its issue count, while its texts are being rendered
        self._rendering: tuple[RawRows, int] | None = None

    @contextmanager
    def rendering_texts(self) -> Iterator[None]:
        """Render ADF in a helper process for as long as this lasts: the sync's row building
        is bound by the GIL, and turning descriptions and comment bodies into text was a
        fifth of it. Pages added outside it are rendered as they are added."""
        with AdfWorker() as worker:
            self._texts = worker
            try:
                yield
            finally:
                self._texts, self._rendering = None, None

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of the sync's own: its row-group size and memory cap."""
        with self._connect(row_group_size=SYNC_ROW_GROUP_SIZE) as conn:
            # for as long as the connection lives: its close checkpoints under the cap too
            conn.execute("set memory_limit = ?", [f"{SYNC_MEMORY_MB}MiB"])
            yield conn

    @contextmanager
    def committing(self) -> Iterator[None]:
        """Commit a pass's batches in a thread of their own: DuckDB releases the GIL while
        it merges, so the next pages become rows meanwhile. Batches still commit one at a
        time, in order, each with the watermark it reaches. They share a connection, which
        is reopened every `RECONNECT_EVERY` commits."""
        with ThreadPoolExecutor(1, "sync-commit") as writer:
            self._writer, self._pass_commits = writer, 0
            try:
                yield
                self._wait()
            finally:
                # a commit under way finishes on its connection, even when the pass failed
                writer.shutdown(wait=True)
                self._writer = None
                self._close_pass_connection()

    def add(self, issues: Sequence[Any], full_lists: dict[int, FullLists]) -> None:
        """Turn a page into rows now, and into Arrow columns once its texts are rendered (by
        the next `add` or `flush`): its JSON is freed at once, and only the compact columns
        wait for the next commit."""
        rows = RawRows(text_sources=None if self._texts is None else [])
        for i, issue in enumerate(issues):
            key = issue.get("key", "?") if is_object(issue) else "?"
            full = full_lists.get(i, _EMBEDDED)
            rows.add_issue(
                issue, f"{self._source}#{key}", histories=full.histories, comments=full.comments
            )
        self._counts.fetched += len(issues)
        self.pending_issues += len(issues)
        self._frame_rendered()
        self._rendering = rows, len(issues)
        if self._texts is not None and rows.text_sources is not None:
            self._texts.start(rows.text_sources)
        else:
            self._frame_rendered()

    def _frame_rendered(self) -> None:
        """The page whose texts were being rendered becomes Arrow columns, pending commit."""
        if self._rendering is None:
            return
        (rows, issues), self._rendering = self._rendering, None
        if self._texts is not None and rows.text_sources is not None:
            rows.fill_texts(self._texts.texts())
        sources = {
            table: [self._source] * len(records)
            for table, records in zip(STAGED_TABLES, rows.tables(), strict=True)
        }
        frames = raw_frames(rows, sources)
        self._pending.append((frames, issues))
        # (counted in pending_issues when added; its bytes are known only now)
        self.pending_bytes += sum(frame.nbytes for frame in frames.values())

    def flush(self, watermark: datetime | None) -> None:
        """Commit what was read since the last flush, and the watermark it reaches: in the
        pass's writer thread when one runs (after the batch before), else right here."""
        self._frame_rendered()
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        self.pending_issues = self.pending_bytes = 0
        if self._writer is None:
            self._commit(batch, watermark)
            return
        self._wait()
        self._writing = self._writer.submit(self._commit, batch, watermark)

    def _wait(self) -> None:
        """Wait for the commit under way; its error, if any, is raised here."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    @contextmanager
    def _batch_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The pass's connection while a pass commits, else a short one of our own."""
        if self._writer is None:
            with self.connection() as conn:
                yield conn
            return
        if self._pass_connection is None:
            self._pass_connection = self._pass.enter_context(self.connection())
        yield self._pass_connection
        self._pass_commits += 1
        if self._pass_commits % RECONNECT_EVERY == 0:
            self._close_pass_connection()

    def _close_pass_connection(self) -> None:
        self._pass_connection = None
        self._pass.close()

    def _commit(self, batch: list[tuple[Frames, int]], watermark: datetime | None) -> None:
        def along(conn: duckdb.DuckDBPyConnection) -> None:
            if watermark is not None:
                self._save_watermark(conn, watermark)

        nbytes = sum(frame.nbytes for frames, _ in batch for frame in frames.values())
        need_mb = max(SYNC_MEMORY_MB, MERGE_MEMORY_PER_BATCH_BYTE * nbytes // 2**20)
        with self._batch_connection() as conn, memory_limit(conn, f"{need_mb}MiB"):
            loader = RawLoader(conn)
            for frames, issues in batch:
                loader.stage_frames(frames, [self._source], issues_seen=issues)
            loaded = loader.commit(along=along)
        self._counts.inserted += loaded.inserted
        self._counts.updated += loaded.updated
        self._counts.unchanged += loaded.unchanged
        self._counts.rejected += loaded.rejected
