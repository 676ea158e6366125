"""Load Jira JSON exports (a file or a directory) into the raw tables, all or nothing."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from ticket_analytics.jira.payloads import add_document, discover_files, read_documents
from ticket_analytics.jira.records import RawRows
from ticket_analytics.warehouse.raw_load import LoadStats, RawLoader

Progress = Callable[[int, int, Path], None]
# Parsing (JSON, ADF, timestamps) is pure Python and dominates a load, so large loads parse
# in a process pool; below this size starting the pool costs more than it saves.
PARALLEL_FROM_BYTES = 50_000_000


def _parse_file(file: Path, label: str) -> tuple[RawRows, int]:
    rows, seen = RawRows(), 0
    for locator, document in read_documents(file, label):
        seen += add_document(rows, document, locator)
    return rows, seen


def _parsed(
    files: list[Path], labels: list[str], parallel_from_bytes: int
) -> Iterator[tuple[RawRows, int]]:
    workers = min(len(files), os.cpu_count() or 1)
    if workers < 2 or sum(f.stat().st_size for f in files) < parallel_from_bytes:
        yield from map(_parse_file, files, labels)
        return
    # fork: the children only parse, with modules already imported; spawn would re-import
    # the caller's main module, which scripts without a __main__ guard cannot survive
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_parse_file, files, labels, chunksize=4)


def ingest_files(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    progress: Progress | None = None,
    parallel_from_bytes: int = PARALLEL_FROM_BYTES,
) -> LoadStats:
    """Parse every file under `path`, then merge them in one transaction.

    Malformed JSON anywhere raises `PayloadError` before anything is written.
    """
    files = discover_files(path)
    labels = [str(f.relative_to(path)) if path.is_dir() else f.name for f in files]
    loader = RawLoader(conn)
    for done, (file, (rows, seen)) in enumerate(
        zip(files, _parsed(files, labels, parallel_from_bytes), strict=True), start=1
    ):
        loader.stage(rows, f"file:{file}", issues_seen=seen)
        if progress:
            progress(done, len(files), file)
    return loader.commit()
