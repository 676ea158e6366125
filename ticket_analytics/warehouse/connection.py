"""Short-lived DuckDB connections with a bounded wait for the file lock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ticket_analytics import calendar
from ticket_analytics.warehouse.migrations import is_current, migrate

LOCK_WAIT_SECONDS = 30.0
# A bulk insert writes full row groups straight into the file. At DuckDB's default of 122,880
# rows, a 100k-issue load fills none: it went through the WAL and was written a second time
# by the checkpoint, 3 s of a 13 s load. The size belongs to the attach, not the file, so a
# writer with smaller transactions (the Jira sync) attaches with its own; scans of either
# size run alike.
ROW_GROUP_SIZE = 32_768


class WarehouseBusyError(RuntimeError):
    """Another process holds the DuckDB file for longer than we are willing to wait."""


def _attach(path: Path, read_only: bool, row_group_size: int) -> duckdb.DuckDBPyConnection:
    # Attached rather than opened with connect(path): only ATTACH takes a row-group size.
    # Spills go beside the file, where connect(path) would put them, not into the cwd.
    conn = duckdb.connect(config={"temp_directory": f"{path}.tmp"})
    try:
        conn.execute(
            "attach ? as warehouse (read_only ?, row_group_size ?)",
            [str(path), read_only, row_group_size],
        )
        conn.execute("use warehouse")
        # a long merge would otherwise draw a progress bar into the CLI's and Dagster's logs
        conn.execute("set enable_progress_bar = false")
        # A checkpoint's vacuum merges row groups smaller than the connection's size: after a
        # sync (2,048-row groups), any other connection's checkpoint rewrote every raw table
        # whole, 1.3 GB for 40k Jira-weight issues. Wholly deleted row groups still go.
        conn.execute("set max_vacuum_tasks = 0")
    except BaseException:
        conn.close()
        raise
    return conn


def _open(
    path: Path, read_only: bool, wait_seconds: float, row_group_size: int
) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return _attach(path, read_only, row_group_size)
        except duckdb.IOException as exc:
            # DuckDB allows one writing process per file; wait a little for it to finish.
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    raise WarehouseBusyError(
                        f"{path} is locked by another process (waited {wait_seconds:.0f} s); "
                        "analysts should read the snapshot instead (see README)"
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextmanager
def memory_limit(conn: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's memory limit set to `limit` (e.g. "64MB") for a block, then restored."""
    previous = conn.execute("select current_setting('memory_limit')").fetchall()[0][0]
    conn.execute("set memory_limit = ?", [limit])
    try:
        yield
    finally:
        conn.execute("set memory_limit = ?", [previous])


@contextmanager
def connect(
    path: Path,
    *,
    read_only: bool = False,
    wait_seconds: float = LOCK_WAIT_SECONDS,
    row_group_size: int = ROW_GROUP_SIZE,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (migrated to the latest schema when writable), then close it."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = _open(path, read_only, wait_seconds, row_group_size)
    try:
        # migrations see UTC whatever the machine's zone
        conn.execute("set TimeZone = 'UTC'")
        if not read_only and not is_current(conn):
            migrate(conn)
        # Once per connection, never per query: days and months are the team's (TA_TIMEZONE),
        # and a session zone is what DuckDB's date functions on timestamptz follow.
        calendar.apply(conn)
        yield conn
    finally:
        conn.close()
