"""Warehouse connections: attached with our row-group size, and a clear error when busy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ticket_analytics.warehouse.connection import ROW_GROUP_SIZE, WarehouseBusyError, connect


def test_bulk_inserts_fill_row_groups_of_our_size(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as conn:
        conn.execute(
            "create table numbers as select range as n from range(?)", [ROW_GROUP_SIZE + 1]
        )
        groups = conn.sql(
            "select count(distinct row_group_id) from pragma_storage_info('numbers')"
        ).fetchall()
        assert groups == [(2,)]
        assert conn.sql("select current_database()").fetchall() == [("warehouse",)]
        # large queries spill beside the warehouse, not into the working directory
        spill = conn.sql("select current_setting('temp_directory')").fetchall()
        assert spill == [(f"{tmp_path / 'w.duckdb'}.tmp",)]


def test_a_writer_can_attach_with_smaller_row_groups_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path, row_group_size=2048) as conn:
        conn.execute("create table numbers as select range as n from range(4097)")
    with connect(path, read_only=True) as conn:
        counts = conn.sql(
            "select count from pragma_storage_info('numbers') "
            "where column_name = 'n' group by row_group_id, count order by row_group_id"
        ).fetchall()
    assert counts == [(2048,), (2048,), (1,)]


def test_another_connection_leaves_a_writers_smaller_row_groups_as_they_are(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path, row_group_size=2048) as conn:
        conn.execute("create table numbers as select range as n from range(4096)")
    with connect(path) as conn:
        # a checkpoint's vacuum would merge the two groups (and every table's) into one
        conn.execute("insert into numbers values (4096)")
        conn.execute("create table other as select * from numbers")
        conn.execute("checkpoint")
        counts = conn.sql(
            "select count from pragma_storage_info('numbers') "
            "where column_name = 'n' group by row_group_id, count order by row_group_id"
        ).fetchall()
    assert counts == [(2048,), (2048,), (1,)]


def test_read_only_connections_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path):
        pass
    with connect(path, read_only=True) as conn, pytest.raises(duckdb.Error, match="read-only"):
        conn.execute("create table t (a int)")


def test_a_warehouse_held_by_another_process_raises_busy_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        with pytest.raises(WarehouseBusyError, match=r"w\.duckdb"), connect(path, wait_seconds=0.2):
            pass
    finally:
        holder.communicate("")
