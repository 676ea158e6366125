"""The analysts' copy of the warehouse, published atomically after each successful build.

DuckDB lets one process write a file and blocks writers while any other process has it
open, even read-only. Analysts therefore open a snapshot, never the live file: a new snapshot
is written beside the old one and renamed over it, so an open session keeps reading the
version it opened (the old inode) and the next session sees the new one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ticket_analytics.paths import snapshot_path


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def publish_snapshot(conn: duckdb.DuckDBPyConnection, warehouse: Path) -> Path:
    """Copy every schema of the open warehouse into `<stem>.snapshot.duckdb`, atomically."""
    target = snapshot_path(warehouse)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    database = conn.execute("select current_database()").fetchall()[0][0]
    # ATTACH and COPY FROM DATABASE take no bound parameters: the path and name are ours.
    attach = f"attach {_quoted(partial)} as analyst_snapshot"
    copy = f'copy from database "{database}" to analyst_snapshot'
    try:
        conn.execute(attach)
        try:
            conn.execute(copy)
        finally:
            conn.execute("detach analyst_snapshot")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        Path(f"{partial}.wal").unlink(missing_ok=True)
    return target
