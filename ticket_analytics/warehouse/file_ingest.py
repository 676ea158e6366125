"""Load Jira JSON exports (a file or a directory) into the raw tables, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from ticket_analytics.jira.payloads import add_document, discover_files, read_documents
from ticket_analytics.jira.records import RawRows
from ticket_analytics.warehouse.raw_load import LoadStats, RawLoader

Progress = Callable[[int, int, Path], None]


def ingest_files(
    conn: duckdb.DuckDBPyConnection, path: Path, *, progress: Progress | None = None
) -> LoadStats:
    """Parse every file under `path`, then merge them in one transaction.

    Malformed JSON anywhere raises `PayloadError` before anything is written.
    """
    files = discover_files(path)
    loader = RawLoader(conn)
    for done, file in enumerate(files, start=1):
        rows = RawRows()
        seen = 0
        label = str(file.relative_to(path)) if path.is_dir() else file.name
        for locator, document in read_documents(file, label):
            seen += add_document(rows, document, locator)
        loader.stage(rows, f"file:{file}", issues_seen=seen)
        if progress:
            progress(done, len(files), file)
    return loader.commit()
